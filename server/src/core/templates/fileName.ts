// The new revision file's name, built the way Alembic's ScriptDirectory._rev_path builds it:
// `file_template % {rev, slug, epoch, year, month, day, hour, minute, second}` + ".py", where the
// slug is the message's word runs joined by `_`, lower-cased, cut at `truncate_slug_length`.
import { dateParts, type DateParts } from './dates';
import { pyRepr, pyStr, type PyValue } from './python';

/** Alembic's default `file_template`. */
export const DEFAULT_FILE_TEMPLATE = '%(rev)s_%(slug)s';
/** Alembic's default `truncate_slug_length`. */
export const DEFAULT_TRUNCATE_SLUG_LENGTH = 40;

export interface FileNameInput {
  revision: string;
  message: string;
  now: Date;
  /** `file_template` as Alembic reads it; see `normalizeFileTemplate`. Absent: Alembic's default. */
  fileTemplate?: string;
  /** `truncate_slug_length`; absent or 0 means 40, like Alembic (`int(x) or 40`). */
  truncateSlugLength?: number;
  /** `timezone` option; absent means local time. */
  timezone?: string;
}

export class FileTemplateError extends Error {
  constructor(message: string, readonly fileTemplate: string) {
    super(`file_template '${fileTemplate}': ${message}`);
    this.name = 'FileTemplateError';
  }
}

/** The file name (with `.py`) Alembic would give this revision. */
export function revisionFileName(input: FileNameInput): string {
  return revisionFileNameAt(input, dateParts(input.now, input.timezone));
}

export function revisionFileNameAt(input: Omit<FileNameInput, 'now' | 'timezone'>, date: DateParts): string {
  const template = normalizeFileTemplate(input.fileTemplate ?? DEFAULT_FILE_TEMPLATE);
  const values: Record<string, PyValue> = {
    rev: input.revision,
    slug: revisionSlug(input.message, input.truncateSlugLength),
    epoch: date.epoch,
    year: date.year,
    month: date.month,
    day: date.day,
    hour: date.hour,
    minute: date.minute,
    second: date.second,
  };
  return `${pyPercentFormat(template, values)}.py`;
}

/**
 * In alembic.ini the template is written with doubled percents (`%%(rev)s_%%(slug)s`) because
 * configparser interpolates `%`; Alembic sees the undoubled text. Accept both: a template that
 * holds `%%(` and no single `%(` is the raw ini text, undoubled here. (A doubled `%%` meaning a
 * literal `%` in a file name would be the only casualty, and no real project wants one.)
 */
export function normalizeFileTemplate(template: string): string {
  const hasRaw = /%%\(/.test(template);
  const hasSingle = /(^|[^%])%\(/.test(template.replace(/%%/g, ''));
  return hasRaw && !hasSingle ? template.replace(/%%/g, '%') : template;
}

/** Alembic's slug: `"_".join(re.findall(r"\w+", message)).lower()`, truncated at a word boundary. */
export function revisionSlug(message: string, truncateSlugLength?: number): string {
  // Python's \w in str patterns: letters, digits (any script) and the underscore.
  const words = message.match(/[\p{L}\p{N}_]+/gu) ?? [];
  let slug = words.join('_').toLowerCase();
  const limit = truncateSlugLength || DEFAULT_TRUNCATE_SLUG_LENGTH;
  const chars = Array.from(slug); // Python counts code points
  if (chars.length > limit) {
    const cut = chars.slice(0, limit).join('');
    const at = cut.lastIndexOf('_');
    slug = (at < 0 ? cut : cut.slice(0, at)) + '_';
  }
  return slug;
}

/**
 * Python's `template % mapping` for the conversions file templates use: `%(key)[flags][width]
 * [.precision](s|r|d|i|u)` and `%%`. Anything else raises the error Python would.
 */
export function pyPercentFormat(template: string, values: Record<string, PyValue>): string {
  const spec = /%(?:\(([^)]*)\))?([#0\- +]*)(\d+|\*)?(?:\.(\d+|\*))?([a-zA-Z%])?/g;
  let out = '';
  let last = 0;
  for (let m = spec.exec(template); m; m = spec.exec(template)) {
    out += template.slice(last, m.index);
    last = spec.lastIndex;
    const [whole, key, flags = '', width, precision, conversion] = m;
    if (whole === '%%') { out += '%'; continue; }
    if (conversion === undefined) throw new FileTemplateError('incomplete format (a lone % at the end)', template);
    if (conversion === '%') throw new FileTemplateError(`unsupported format '${whole}'`, template);
    if (key === undefined) throw new FileTemplateError(`'${whole}' has no (name): format requires a mapping`, template);
    if (width === '*' || precision === '*') throw new FileTemplateError(`'*' is not allowed with a mapping in '${whole}'`, template);
    if (!(key in values)) {
      throw new FileTemplateError(`unknown token %(${key})s; Alembic knows ${Object.keys(values).map((k) => `%(${k})s`).join(', ')}`, template);
    }
    out += formatOne(values[key] ?? null, flags, width, precision, conversion, whole, template);
  }
  return out + template.slice(last);
}

function formatOne(value: PyValue, flags: string, width: string | undefined, precision: string | undefined,
  conversion: string, whole: string, template: string): string {
  let body: string;
  let numeric = false;
  switch (conversion) {
    case 's':
    case 'r': {
      body = conversion === 's' ? pyStr(value) : pyRepr(value);
      if (precision !== undefined) body = Array.from(body).slice(0, Number(precision)).join('');
      break;
    }
    case 'd':
    case 'i':
    case 'u': {
      if (typeof value !== 'number') {
        throw new FileTemplateError(`${whole}: a number is required, not ${typeof value === 'string' ? 'str' : pyRepr(value)}`, template);
      }
      numeric = true;
      let digits = String(Math.abs(Math.trunc(value)));
      if (precision !== undefined) digits = digits.padStart(Number(precision), '0');
      const sign = value < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
      body = sign + digits;
      break;
    }
    default:
      throw new FileTemplateError(`unsupported format character '${conversion}' in '${whole}'`, template);
  }
  const w = width === undefined ? 0 : Number(width);
  const length = Array.from(body).length;
  if (length >= w) return body;
  if (flags.includes('-')) return body + ' '.repeat(w - length);
  if (numeric && flags.includes('0')) {
    const sign = /^[-+ ]/.test(body) ? body[0] ?? '' : '';
    return sign + '0'.repeat(w - length) + body.slice(sign.length);
  }
  return ' '.repeat(w - length) + body;
}
