// The template requests: the library of migrations-templates/ (shipped beside dist/), the checks of
// each answer, and the new revision's text, all made by core/templates. The client only asks, shows
// the questions and writes the file it is given.
import fs from 'node:fs';
import path from 'node:path';
import {
  createRevisionFromTemplate, defaultAnswer, loadTemplateLibrary, type MigrationTemplate, validateAnswer,
} from '../core/templates';
import type {
  RenderTemplateParams, RenderTemplateResult, TemplateAnswerParams, TemplateAnswerResult, TemplatesResult,
} from '../../../common/protocol';
import type { WorkspaceModel } from './model';

/** The library's folder: beside dist/ in the extension, at the repository root when run from out/. */
function libraryFolder(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'migrations-templates');
    if (fs.existsSync(path.join(candidate, 'manifest.json'))) return candidate;
    if (path.dirname(dir) === dir) return path.join(__dirname, '..', 'migrations-templates');
  }
}

export class TemplateLibrary {
  private loaded: MigrationTemplate[] | undefined;

  constructor(private readonly folder: string = libraryFolder()) {}

  /** Read once; a broken library throws with the file it could not read. */
  private templates(): MigrationTemplate[] {
    this.loaded ??= loadTemplateLibrary(fs.readFileSync(path.join(this.folder, 'manifest.json'), 'utf8'),
      (f) => fs.readFileSync(path.join(this.folder, f), 'utf8'));
    return this.loaded;
  }

  private template(id: string): MigrationTemplate {
    const t = this.templates().find((x) => x.id === id);
    if (!t) throw new Error(`no migration template '${id}' in ${this.folder}`);
    return t;
  }

  list(): TemplatesResult {
    try {
      return {
        templates: this.templates().map((t) => ({
          id: t.id, label: t.label, description: t.description, merge: t.merge,
          questions: t.placeholders.map((p) => ({ name: p.name, prompt: p.prompt, example: p.example })),
        })),
      };
    } catch (err) {
      return { templates: [], problem: `the migration templates in ${this.folder} could not be loaded: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  answer(params: TemplateAnswerParams): TemplateAnswerResult {
    const spec = this.template(params.templateId).placeholders.find((p) => p.name === params.question);
    if (!spec) return { problem: `template ${params.templateId} asks no question '${params.question}'` };
    const result: TemplateAnswerResult = {};
    const suggested = defaultAnswer(spec, params.answers);
    if (suggested !== undefined) result.suggested = suggested;
    if (params.value !== undefined) {
      const problem = validateAnswer(spec.kind, params.value);
      if (problem !== undefined) result.problem = problem;
    }
    return result;
  }

  /** The new revision for a project of the workspace, into its first version location. */
  async render(workspace: WorkspaceModel, params: RenderTemplateParams, readFile: (p: string) => Promise<string | undefined>): Promise<RenderTemplateResult> {
    const project = workspace.project(params.projectId);
    if (!project) return { ok: false, message: `no Alembic project ${params.projectId}` };
    const info = project.info;
    const versionLocation = info.versionLocations[0];
    if (!versionLocation) return { ok: false, message: `${info.configFile} names no versions folder to write into.` };
    try {
      const template = this.template(params.templateId);
      const scriptTemplate = info.scriptLocation ? await readFile(path.join(info.scriptLocation, 'script.py.mako')) : undefined;
      const created = createRevisionFromTemplate({
        template, answers: params.answers, heads: project.heads, now: new Date(),
        project: {
          versionLocation,
          ...(info.fileTemplate ? { fileTemplate: info.fileTemplate } : {}),
          ...(scriptTemplate !== undefined ? { scriptTemplate } : {}),
        },
        ...(params.chosenHead !== undefined ? { chosenHead: params.chosenHead } : {}),
      });
      return { ok: true, path: created.path, text: created.text, revision: created.revision, cursor: created.cursor, notes: created.notes };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }
}
