// "Alembic: Verify Round Trip…": upgrade, downgrade and upgrade again on a scratch database, compare
// schema snapshots, and show the report in a Markdown preview with links to the responsible lines.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { OperationsRequest } from '../../../common/protocol';
import { interpreterFor } from '../runAlembic';
import { requireTrust } from '../trust';
import { saveProjectFiles } from '../unsavedFiles';
import { readSettings, versionTableFor } from '../config';
import { chooseUrl, workspaceFolderOf } from '../databaseInputs';
import { protectedVerifyServer } from '../../../runtime/db/protectedDatabases';
import type { ObjectKind } from '../../../runtime/db/schemaDiff';
import { renderMarkdownReport, type SourceLink } from '../../../runtime/verify/report';
import { verifyProject } from '../../../runtime/verify/verifyProject';
import type { Services } from '../services';
import { ui } from '../ui';
import { pickProject, revisionItem } from './pick';
import { revisionArg } from './args';
import { confirmProtectedVerifyServer } from './confirm';

type Handler = (...args: unknown[]) => unknown;

export function verifyCommands(s: Services): Record<string, Handler> {
  return {
    'alembic.verifyRoundTrip': async (arg: unknown) => {
      if (!requireTrust('Verifying migrations')) return;
      const project = await pickProject(s, arg);
      if (!project) return;
      if (!(await saveProjectFiles(project.info, 'Verify Round Trip'))) return;
      let range = revisionArg(arg)?.revision;
      if (!range) {
        const nodes = project.graph?.nodes ?? [];
        const picked = await ui.showQuickPick([
          { label: 'Every revision', description: 'from base to the heads', target: '' },
          ...nodes.map((n) => revisionItem(n)),
        ], { placeHolder: 'Verify which revision on a scratch database?', matchOnDescription: true });
        if (!picked) return;
        range = picked.target || undefined;
      }
      let python: string;
      try {
        python = (await interpreterFor(project.info)).path;
      } catch (err) {
        void vscode.window.showErrorMessage(`Alembic: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      const settings = readSettings(workspaceFolderOf(project.info)?.uri);
      const chosen = await chooseUrl(s.context, project.info);
      // A protected server is treated like production: ask before making a scratch database there.
      const guarded = protectedVerifyServer({ databaseUrl: chosen.ok ? chosen.url : undefined, patterns: settings.protectedDatabases });
      const where = guarded ? await confirmProtectedVerifyServer(guarded) : 'auto';
      if (!where) return;
      const versionTable = versionTableFor(settings, project.info);
      const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Alembic: verifying round trip', cancellable: true }, async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        let last = 0;
        try {
          return await verifyProject({
            projectRoot: project.info.root, iniPath: project.info.configFile, ...(project.info.iniSection ? { iniSection: project.info.iniSection } : {}),
            ...(project.info.workingFolder !== undefined ? { workingFolder: project.info.workingFolder } : {}), python,
            ...(chosen.ok ? { databaseUrl: chosen.url } : {}),
            ...(range ? { range } : {}),
            // Asked above: 'server' is the user's yes for the protected server, 'local' never touches it.
            where: where === 'server' ? 'auto' : where, protectedDatabases: settings.protectedDatabases, allowProtected: where === 'server',
            databaseUrlEnvVar: settings.databaseUrlEnvVar,
            ...(versionTable ? { versionTable } : {}),
            signal: abort.signal,
            log: (line) => s.log.output(line),
            onProgress: (p) => {
              const done = Math.round((p.index / Math.max(1, p.total)) * 100);
              progress.report({ message: p.message, increment: done - last });
              last = done;
            },
          });
        } finally {
          sub.dispose();
        }
      });
      s.log.info(`Round-trip verification: ${report.ok ? 'passed' : report.cancelled ? 'cancelled' : 'failed'} in ${Math.round(report.durationMs)} ms`);
      const markdown = await renderMarkdownReport(report, { lookup: (revision, name, kind) => lookup(s, project.info.id, revision, name, kind) });
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-verify-')), 'round-trip-report.md');
      fs.writeFileSync(file, markdown);
      await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(file));
      if (report.ok) void vscode.window.showInformationMessage(`Alembic: round trip passed for ${report.revisions.length} revision(s).`);
      else void vscode.window.showWarningMessage(`Alembic: round trip ${report.cancelled ? 'cancelled' : 'found problems'}: see the report.`);
      return { report, reportFile: file };
    },
  };
}

/** The upgrade call that creates `name`, from the server's parsed calls (1-based line for the report). */
async function lookup(s: Services, projectId: string, revision: string, name: string, kind: ObjectKind): Promise<SourceLink | undefined> {
  const r = await s.client.sendRequest(OperationsRequest, { projectId, revisions: [revision], function: 'upgrade' });
  const bare = name.replace(/^.*\./, '');
  const hit = r.creations.find((c) => c.name === name && c.kind === kind)
    ?? r.creations.find((c) => c.name === name || c.name.endsWith(`.${bare}`) || c.name === bare);
  return hit ? { path: vscode.Uri.parse(hit.uri).fsPath, line: hit.range.start.line + 1 } : undefined;
}
