// "Alembic: New Revision from Template…": pick a template, answer its placeholders, and write the new
// revision into the project's versions folder, following the current head. Needs neither Python nor
// a database. The language server lists the templates, checks each answer and makes the file's text
// (core/templates); this command asks the questions and writes the file.
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import {
  RenderTemplateRequest, TemplateAnswerRequest, type TemplateInfo, TemplatesRequest,
} from '../../../common/protocol';
import { type ProjectState, revisionsById } from '../projectStore';
import type { Services } from '../services';
import { requireTrust } from '../trust';
import { ui } from '../ui';
import { shortRevision } from '../views/format';
import { pickProject } from './pick';

type Handler = (...args: unknown[]) => unknown;

/** Which head the new revision follows; `undefined` when the user backed out, `null` when there is no choice. */
async function chooseHead(project: ProjectState, template: TemplateInfo): Promise<string | string[] | undefined | null> {
  const heads = project.graph?.heads ?? [];
  if (template.merge) return [...heads];
  if (heads.length <= 1) return null;
  const nodes = revisionsById(project);
  const picked = await ui.showQuickPick([
    ...heads.map((h) => ({ label: shortRevision(h), description: nodes.get(h)?.message ?? '', detail: h, head: h as string | string[] })),
    { label: 'Merge all heads instead', description: 'the new revision becomes a merge point', detail: heads.join(', '), head: [...heads] },
  ], { placeHolder: `The project has ${heads.length} heads: the new revision follows which?` });
  return picked?.head;
}

/** The real path of `p`, or of its nearest existing ancestor joined with the rest (for files not made yet). */
function realPathOf(p: string): string {
  const rest: string[] = [];
  let at = path.resolve(p);
  for (;;) {
    try {
      return path.join(fs.realpathSync(at), ...rest.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return path.resolve(p);
      rest.push(path.basename(at));
      at = parent;
    }
  }
}

/**
 * Where the workspace's configuration may make us write: inside the versions folder (links followed),
 * and outside the workspace folders only when the user says so.
 */
async function mayWrite(project: ProjectState, file: string): Promise<boolean> {
  const location = project.info.versionLocations[0] ?? '';
  const inside = path.relative(realPathOf(location), realPathOf(file));
  if (!inside || inside.startsWith('..') || path.isAbsolute(inside)) {
    void vscode.window.showErrorMessage(`Alembic: nothing was written: ${file} is outside the versions folder ${location}.`);
    return false;
  }
  if (vscode.workspace.getWorkspaceFolder(vscode.Uri.file(realPathOf(location)))) return true;
  const choice = await ui.showWarningMessage(
    `The versions folder ${location} is outside the workspace folders. Write the new revision there?`,
    { modal: true, detail: `The project's configuration (${project.info.configFile}) names it. The file would be ${file}.` },
    'Write Outside the Workspace',
  );
  return choice === 'Write Outside the Workspace';
}

export function templateCommands(s: Services): Record<string, Handler> {
  return {
    'alembic.newRevisionFromTemplate': async (arg: unknown) => {
      // It writes a Python file where the workspace's configuration says: not in Restricted Mode.
      if (!requireTrust('Creating a revision from a template')) return;
      const project = await pickProject(s, arg);
      if (!project) return;
      if (!project.info.versionLocations[0]) {
        void vscode.window.showErrorMessage(`Alembic: ${project.info.configFile} names no versions folder to write into.`);
        return;
      }
      const library = await s.client.sendRequest(TemplatesRequest, {});
      if ('problem' in library) {
        s.log.error(`Loading the migration templates failed: ${library.problem}`);
        void vscode.window.showErrorMessage(`Alembic: ${library.problem}`);
        return;
      }
      const picked = await ui.showQuickPick(library.templates.map((t) => ({ label: t.label, description: t.id, detail: t.description, template: t })), {
        placeHolder: 'Start the new revision from which template?', matchOnDetail: true,
      });
      if (!picked) return;
      const template = picked.template;
      const chosen = await chooseHead(project, template);
      if (chosen === undefined) return;
      const answers: Record<string, string> = {};
      for (const question of template.questions) {
        const ask = (value?: string) => s.client.sendRequest(TemplateAnswerRequest, {
          templateId: template.id, question: question.name, answers, ...(value !== undefined ? { value } : {}),
        });
        const { suggested } = await ask();
        const value = await ui.showInputBox({
          title: `${template.label}: ${question.prompt}`,
          prompt: question.prompt,
          value: suggested ?? '',
          placeHolder: question.example,
          ignoreFocusOut: true,
          validateInput: async (v) => (await ask(v)).problem,
        });
        if (value === undefined) return;
        answers[question.name] = value;
      }
      try {
        const created = await s.client.sendRequest(RenderTemplateRequest, {
          projectId: project.info.id, templateId: template.id, answers, ...(chosen !== null ? { chosenHead: chosen } : {}),
        });
        if (!created.ok) throw new Error(created.message);
        if (!(await mayWrite(project, created.path))) return;
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
