// "Alembic: New Revision from Template…": pick a template, answer its placeholders, and write the new
// revision into the project's versions folder, following the current head. Needs neither Python nor
// a database; the rendering is the core's (server/src/core/templates), pure.
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import {
  type Answer, createRevisionFromTemplate, defaultAnswer, loadTemplateLibrary, type MigrationTemplate, validateAnswer,
} from '../../../server/src/core/templates';
import type { ProjectState } from '../projectStore';
import type { Services } from '../services';
import { ui } from '../ui';
import { shortRevision } from '../views/format';
import { pickProject } from './pick';

type Handler = (...args: unknown[]) => unknown;

function loadLibrary(context: vscode.ExtensionContext): MigrationTemplate[] {
  const dir = context.asAbsolutePath('migrations-templates');
  return loadTemplateLibrary(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'), (f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

/** Which head the new revision follows; `undefined` when the user backed out. */
async function chooseHead(project: ProjectState, template: MigrationTemplate): Promise<string | readonly string[] | undefined | null> {
  const heads = project.graph?.heads ?? [];
  if (template.merge) return heads;
  if (heads.length <= 1) return null;
  const nodes = new Map((project.graph?.nodes ?? []).map((n) => [n.revision, n]));
  const picked = await ui.showQuickPick([
    ...heads.map((h) => ({ label: shortRevision(h), description: nodes.get(h)?.message ?? '', detail: h, head: h as string | readonly string[] })),
    { label: 'Merge all heads instead', description: 'the new revision becomes a merge point', detail: heads.join(', '), head: heads },
  ], { placeHolder: `The project has ${heads.length} heads: the new revision follows which?` });
  return picked?.head;
}

export function templateCommands(s: Services): Record<string, Handler> {
  return {
    'alembic.newRevisionFromTemplate': async (arg: unknown) => {
      const project = await pickProject(s, arg);
      if (!project) return;
      const versionLocation = project.info.versionLocations[0];
      if (!versionLocation) {
        void vscode.window.showErrorMessage(`Alembic: ${project.info.configFile} names no versions folder to write into.`);
        return;
      }
      let library: MigrationTemplate[];
      try {
        library = loadLibrary(s.context);
      } catch (err) {
        s.log.error('Loading the migration templates failed', err);
        void vscode.window.showErrorMessage(`Alembic: the migration templates could not be loaded: ${String(err)}`);
        return;
      }
      const picked = await ui.showQuickPick(library.map((t) => ({ label: t.label, description: t.id, detail: t.description, template: t })), {
        placeHolder: 'Start the new revision from which template?', matchOnDetail: true,
      });
      if (!picked) return;
      const template = picked.template;
      const chosen = await chooseHead(project, template);
      if (chosen === undefined) return;
      const answers: Record<string, Answer> = {};
      for (const spec of template.placeholders) {
        const value = await ui.showInputBox({
          title: `${template.label}: ${spec.prompt}`,
          prompt: spec.prompt,
          value: defaultAnswer(spec, answers) ?? '',
          placeHolder: spec.example,
          ignoreFocusOut: true,
          validateInput: (v) => validateAnswer(spec.kind, v),
        });
        if (value === undefined) return;
        answers[spec.name] = value;
      }
      const scriptPath = project.info.scriptLocation ? path.join(project.info.scriptLocation, 'script.py.mako') : undefined;
      const scriptTemplate = scriptPath && fs.existsSync(scriptPath) ? fs.readFileSync(scriptPath, 'utf8') : undefined;
      try {
        const created = createRevisionFromTemplate({
          template, answers, heads: project.graph?.heads ?? [], now: new Date(),
          project: {
            versionLocation,
            ...(project.info.fileTemplate ? { fileTemplate: project.info.fileTemplate } : {}),
            ...(scriptTemplate ? { scriptTemplate } : {}),
          },
          ...(chosen !== null ? { chosenHead: chosen } : {}),
        });
        if (fs.existsSync(created.path)) {
          void vscode.window.showErrorMessage(`Alembic: ${created.path} already exists; nothing was written.`);
          return;
        }
        fs.mkdirSync(path.dirname(created.path), { recursive: true });
        fs.writeFileSync(created.path, created.text, { flag: 'wx' });
        s.log.info(`Created ${created.path} from template ${template.id} (revision ${created.revision})`);
        for (const note of created.notes) s.log.info(note);
        const doc = await vscode.workspace.openTextDocument(created.path);
        const cursor = new vscode.Position(created.cursor.line, created.cursor.character);
        await vscode.window.showTextDocument(doc, { selection: new vscode.Range(cursor, cursor) });
        if (created.notes.length) void vscode.window.showInformationMessage(`Alembic: ${created.notes.join(' ')}`);
        await s.store.refresh({ database: false });
      } catch (err) {
        s.log.error(`New revision from template ${template.id} failed`, err);
        void vscode.window.showErrorMessage(`Alembic: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };
}
