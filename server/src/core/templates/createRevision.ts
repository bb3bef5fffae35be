// The pure half of "New Revision from Template…": from a template, the answers and the project's
// facts, the new file's name, its full text and where the cursor goes. The caller writes the file.
import type { Position } from '../types';
import { dateParts, pythonDateString } from './dates';
import { chooseDownRevision, revisesText, type DownRevision } from './downRevision';
import { revisionFileNameAt } from './fileName';
import { alembicNamespace, renderScriptMako } from './mako';
import type { Answer } from './placeholders';
import { pyRevisionLiteral } from './python';
import { newRevisionId, revisionIdProblem } from './revisionId';
import { TemplateError, fillPlaceholders, resolveAnswers, upgradeBodyStart, type MigrationTemplate } from './template';

export interface ProjectFacts {
  /** The folder the new file goes into (a version location). */
  versionLocation: string;
  /** `file_template` from the configuration, as Alembic reads it (raw ini text with `%%` is accepted). */
  fileTemplate?: string;
  truncateSlugLength?: number;
  /** `timezone` from the configuration (IANA name); absent means local time, like Alembic. */
  timezone?: string;
  /** The text of the project's `script.py.mako`, when it has one. */
  scriptTemplate?: string;
}

export interface CreateRevisionInput {
  template: MigrationTemplate;
  /** Answers by placeholder name; left-out placeholders take their default. `message` is one of them. */
  answers: Readonly<Record<string, Answer>>;
  project: ProjectFacts;
  /** The project's current heads. */
  heads: readonly string[];
  /** The head to follow when there are several, or heads to merge. */
  chosenHead?: string | readonly string[];
  now: Date;
  /** A fixed id (tests, or a user's own); otherwise a fresh 12-hex id. */
  revisionId?: string;
}

export interface CreatedRevision {
  /** File name inside the version location, as Alembic's file_template makes it. */
  fileName: string;
  /** versionLocation joined with fileName. */
  path: string;
  text: string;
  /** The first place that needs the user (0-based, UTF-16 columns). */
  cursor: Position;
  revision: string;
  downRevision: DownRevision;
  message: string;
  /** Things the user should know: for example why the project's script.py.mako was not used. */
  notes: string[];
}

export function createRevisionFromTemplate(input: CreateRevisionInput): CreatedRevision {
  const { template, project } = input;
  const resolved = resolveAnswers(template, input.answers);
  if (!resolved.ok) throw new TemplateError(resolved.problems.map((p) => p.message).join('; '), template.id);
  const revision = input.revisionId ?? newRevisionId();
  const idProblem = revisionIdProblem(revision);
  if (idProblem) throw new TemplateError(idProblem, template.id);
  const downRevision = chooseDownRevision({
    heads: input.heads, merge: template.merge, ...(input.chosenHead !== undefined ? { chosenHead: input.chosenHead } : {}),
  });
  const date = dateParts(input.now, project.timezone);
  const createDate = pythonDateString(date);
  const message = resolved.values.message ?? template.label;
  const notes: string[] = [];

  let rendered: { text: string; cursor: Position } | undefined;
  if (template.useProjectScriptTemplate && project.scriptTemplate !== undefined) {
    const mako = renderScriptMako(project.scriptTemplate, alembicNamespace({
      message,
      up_revision: revision,
      down_revision: downRevision,
      branch_labels: null,
      depends_on: null,
      create_date: createDate,
      // An empty revision's downgrade raises until written; a merge needs no downgrade.
      ...(template.merge ? {} : { downgrades: `raise NotImplementedError("downgrade of ${revision} is not written yet")` }),
    }));
    if (mako.ok) rendered = { text: mako.text, cursor: upgradeBodyStart(mako.text) };
    else notes.push(`The project's script.py.mako was not used (${mako.reason}); the built-in '${template.label}' template was used instead.`);
  }
  rendered ??= fillPlaceholders(template.text, {
    ...resolved.values,
    revision,
    down_revision: pyRevisionLiteral(downRevision),
    revises: revisesText(downRevision),
    create_date: createDate,
  }, template.id);

  const fileName = revisionFileNameAt({
    revision, message,
    ...(project.fileTemplate !== undefined ? { fileTemplate: project.fileTemplate } : {}),
    ...(project.truncateSlugLength !== undefined ? { truncateSlugLength: project.truncateSlugLength } : {}),
  }, date);
  const escape = escapesFolder(fileName);
  if (escape) {
    throw new TemplateError(`the configuration's file_template makes the file name ${JSON.stringify(fileName)}, which ${escape}: ` +
      `a new revision must lie inside its versions folder ${project.versionLocation}`, template.id);
  }
  return {
    fileName,
    path: joinPath(project.versionLocation, fileName),
    text: rendered.text,
    cursor: rendered.cursor,
    revision,
    downRevision,
    message,
    notes,
  };
}

// No node:path here: the core runs anywhere. Keep the separator style the folder already uses.
function joinPath(folder: string, name: string): string {
  if (folder === '') return name;
  if (/[\\/]$/.test(folder)) return folder + name;
  const sep = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  return folder + sep + name;
}

/**
 * Why a file name made from `file_template` would leave the versions folder (an absolute path, a drive,
 * a `..` segment), or undefined when it stays inside. Subfolders (`%(year)d/%(rev)s`) stay inside.
 */
export function escapesFolder(fileName: string): string | undefined {
  if (/^[\\/]/.test(fileName)) return 'is an absolute path';
  if (/^[A-Za-z]:/.test(fileName)) return 'names a drive';
  if (fileName.split(/[\\/]/).some((segment) => segment === '..')) return 'climbs out with ..';
  if (fileName.includes('\0')) return 'holds a NUL character';
  return undefined;
}
