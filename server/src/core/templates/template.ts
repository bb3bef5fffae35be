// A migration template: the text of a complete Alembic revision file with `{{placeholders}}`, and
// its entry in migrations-templates/manifest.json (label, one-line description, placeholders).
// Pure: the caller reads the files and passes their text in.
import type { Position } from '../types';
import {
  PLACEHOLDER_KINDS, PLACEHOLDER_PATTERN, isSystemPlaceholder, listPlaceholders, renderAnswer, validateAnswer,
  type Answer, type PlaceholderKind, type PlaceholderSpec,
} from './placeholders';

export interface TemplateManifestEntry {
  /** Stable id, kebab-case: `create-table`. */
  id: string;
  /** File name inside migrations-templates/. */
  file: string;
  /** Short title for a quick pick. */
  label: string;
  /** One line saying what the template is for. */
  description: string;
  /** Placeholders to ask for, in the order to ask them. */
  placeholders: PlaceholderSpec[];
  /** A merge revision: `down_revision` is a tuple of heads. */
  merge: boolean;
  /** Rendered through the project's own script.py.mako when the project has one (empty and merge revisions). */
  useProjectScriptTemplate: boolean;
}

export interface MigrationTemplate extends TemplateManifestEntry {
  /** The template file's text. */
  text: string;
}

export class TemplateError extends Error {
  constructor(message: string, readonly templateId?: string) {
    super(templateId ? `template '${templateId}': ${message}` : message);
    this.name = 'TemplateError';
  }
}

/** Reads manifest.json's text; every problem names the entry and field. */
export function parseManifest(json: string, source = 'manifest.json'): TemplateManifestEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (e) {
    throw new TemplateError(`${source} is not valid JSON: ${(e as Error).message}`);
  }
  const list = isObject(data) ? data.templates : undefined;
  if (!Array.isArray(list)) throw new TemplateError(`${source}: expected {"templates": [...]}`);
  const ids = new Set<string>();
  return list.map((raw: unknown, i: number) => {
    const where = `${source} templates[${i}]`;
    if (!isObject(raw)) throw new TemplateError(`${where} is not an object`);
    const id = requireString(raw, 'id', where);
    if (!/^[a-z][a-z0-9-]*$/.test(id)) throw new TemplateError(`${where}.id '${id}' is not kebab-case`);
    if (ids.has(id)) throw new TemplateError(`${where}.id '${id}' is used twice`);
    ids.add(id);
    const placeholders = raw.placeholders;
    if (!Array.isArray(placeholders)) throw new TemplateError(`${where}.placeholders is not a list`);
    return {
      id,
      file: requireString(raw, 'file', where),
      label: requireString(raw, 'label', where),
      description: requireString(raw, 'description', where),
      merge: raw.merge === true,
      useProjectScriptTemplate: raw.useProjectScriptTemplate === true,
      placeholders: placeholders.map((p: unknown, j: number) => parsePlaceholder(p, `${where}.placeholders[${j}]`)),
    };
  });
}

function parsePlaceholder(raw: unknown, where: string): PlaceholderSpec {
  if (!isObject(raw)) throw new TemplateError(`${where} is not an object`);
  const name = requireString(raw, 'name', where);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TemplateError(`${where}.name '${name}' must be lower-case letters, digits and _`);
  if (isSystemPlaceholder(name)) throw new TemplateError(`${where}.name '${name}' is filled in by the command, not asked`);
  const kind = requireString(raw, 'kind', where);
  if (!(PLACEHOLDER_KINDS as readonly string[]).includes(kind)) {
    throw new TemplateError(`${where}.kind '${kind}' is not one of ${PLACEHOLDER_KINDS.join(', ')}`);
  }
  const spec: PlaceholderSpec = {
    name, kind: kind as PlaceholderKind, prompt: requireString(raw, 'prompt', where), example: requireString(raw, 'example', where),
  };
  if (raw.default !== undefined) spec.default = requireString(raw, 'default', where);
  return spec;
}

/**
 * Joins a manifest entry with its file's text and checks that they agree: every `{{name}}` in the
 * text is declared (or filled in by the command) and every declared placeholder is used.
 */
export function loadTemplate(entry: TemplateManifestEntry, text: string): MigrationTemplate {
  const problems: string[] = [];
  const declared = new Map(entry.placeholders.map((p) => [p.name, p]));
  const used = listPlaceholders(text);
  for (const name of used) {
    if (!declared.has(name) && !isSystemPlaceholder(name)) problems.push(`{{${name}}} is used in ${entry.file} but not declared`);
  }
  for (const p of entry.placeholders) {
    if (!used.includes(p.name)) problems.push(`placeholder '${p.name}' is declared but ${entry.file} does not use it`);
    const answered = new Set(entry.placeholders.slice(0, entry.placeholders.indexOf(p)).map((q) => q.name));
    for (const ref of listPlaceholders(p.default ?? '')) {
      if (!answered.has(ref)) problems.push(`the default of '${p.name}' uses {{${ref}}}, which is not asked before it`);
    }
    const exampleProblem = validateAnswer(p.kind, p.example);
    if (exampleProblem) problems.push(`the example of '${p.name}' is not valid: ${exampleProblem}`);
  }
  for (const required of ['revision', 'down_revision']) {
    if (!used.includes(required)) problems.push(`${entry.file} does not use {{${required}}}`);
  }
  const stray = text.replace(PLACEHOLDER_PATTERN, '').match(/\{\{|\}\}/);
  if (stray) problems.push(`${entry.file} holds a '${stray[0]}' that is not part of a placeholder`);
  if ((text.match(/\{\{\s*cursor\s*\}\}/g) ?? []).length > 1) problems.push(`${entry.file} marks {{cursor}} more than once`);
  if (problems.length > 0) throw new TemplateError(problems.join('; '), entry.id);
  return { ...entry, text };
}

/** The suggested answer for a placeholder, its `{{references}}` filled from the answers so far. */
export function defaultAnswer(spec: PlaceholderSpec, answersSoFar: Readonly<Record<string, Answer>>): string | undefined {
  if (spec.default === undefined) return undefined;
  return spec.default.replace(PLACEHOLDER_PATTERN, (_m, name: string) => {
    const a = answersSoFar[name];
    return a === undefined ? '' : typeof a === 'string' ? a.trim() : a.join(', ');
  });
}

export interface AnswerProblem {
  placeholder: string;
  message: string;
}

/**
 * Checks the answers and fills in defaults for the ones left out. Returns the text to put in place
 * of every declared placeholder, or every problem found.
 */
export function resolveAnswers(template: MigrationTemplate, answers: Readonly<Record<string, Answer>>):
  { ok: true; values: Record<string, string> } | { ok: false; problems: AnswerProblem[] } {
  const complete: Record<string, Answer> = {};
  const values: Record<string, string> = {};
  const problems: AnswerProblem[] = [];
  for (const spec of template.placeholders) {
    const given = answers[spec.name];
    const answer = given ?? defaultAnswer(spec, complete);
    if (answer === undefined) {
      problems.push({ placeholder: spec.name, message: `no answer for '${spec.name}' (${spec.prompt})` });
      continue;
    }
    const problem = validateAnswer(spec.kind, answer);
    if (problem) {
      problems.push({ placeholder: spec.name, message: `${spec.name}: ${problem}` });
      continue;
    }
    complete[spec.name] = answer;
    values[spec.name] = renderAnswer(spec.kind, answer);
  }
  for (const name of Object.keys(answers)) {
    if (!template.placeholders.some((p) => p.name === name)) {
      problems.push({ placeholder: name, message: `'${name}' is not a placeholder of template '${template.id}'` });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}

export interface RenderedText {
  text: string;
  /** Where `{{cursor}}` stood, or the start of the upgrade body when the template marks no cursor. */
  cursor: Position;
}

/**
 * Replaces every placeholder. `values` must cover every placeholder the text uses except `cursor`;
 * replacement text is inserted as it is (never re-scanned for placeholders).
 */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>, templateId?: string): RenderedText {
  const missing = listPlaceholders(text).filter((n) => n !== 'cursor' && values[n] === undefined);
  if (missing.length > 0) throw new TemplateError(`no value for ${missing.map((n) => `{{${n}}}`).join(', ')}`, templateId);
  let cursorOffset: number | undefined;
  let out = '';
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER_PATTERN)) {
    out += text.slice(last, m.index);
    last = (m.index ?? 0) + m[0].length;
    const name = m[1] ?? '';
    if (name === 'cursor') cursorOffset = out.length;
    else out += values[name] ?? '';
  }
  out += text.slice(last);
  return { text: out, cursor: cursorOffset === undefined ? upgradeBodyStart(out) : positionAt(out, cursorOffset) };
}

export function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/**
 * The first statement of `upgrade()`'s body (after a one-line docstring, if any): where a user
 * starts writing a new revision. Falls back to the end of the text.
 */
export function upgradeBodyStart(text: string): Position {
  const lines = text.split('\n');
  const def = lines.findIndex((l) => /^def upgrade\s*\(/.test(l));
  if (def >= 0) {
    for (let i = def + 1; i < lines.length; i++) {
      const line = lines[i] ?? '';
      const trimmed = line.trim();
      if (trimmed === '' || /^("""|''').*\1$/.test(trimmed) && trimmed.length >= 6) continue;
      return { line: i, character: line.length - line.trimStart().length };
    }
  }
  return positionAt(text, text.length);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireString(obj: Record<string, unknown>, field: string, where: string): string {
  const v = obj[field];
  if (typeof v !== 'string' || v === '') throw new TemplateError(`${where}.${field} must be a non-empty string`);
  return v;
}

/**
 * Every template of a library folder: the manifest's text and a reader for the files it names
 * (the caller's file system; the core reads nothing itself).
 */
export function loadTemplateLibrary(manifestJson: string, readTemplateFile: (fileName: string) => string): MigrationTemplate[] {
  return parseManifest(manifestJson).map((entry) => {
    let text: string;
    try {
      text = readTemplateFile(entry.file);
    } catch (e) {
      throw new TemplateError(`cannot read ${entry.file}: ${(e as Error).message}`, entry.id);
    }
    return loadTemplate(entry, text);
  });
}
