// Commands that neither run Python nor touch the database: refresh, open, copy, log, restart.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { revisionArg, type RevisionRef } from './args';

export function basicCommands(s: Services): Record<string, (...args: unknown[]) => unknown> {
  return {
    'alembic.refresh': () => s.store.refresh(),
    'alembic.showLog': () => s.log.show(),
    'alembic.restartServer': async () => {
      await s.client.restart();
      await s.store.refresh();
    },
    'alembic.openFile': async (arg: unknown) => {
      const ref = revisionArg(arg);
      const node = ref && findNode(s, ref);
      if (!node) return;
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(node.uri));
      const r = node.revisionRange;
      const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
      await vscode.window.showTextDocument(doc, { selection: range, preview: true });
    },
    'alembic.copyRevisionId': async (arg: unknown) => {
      const ref = revisionArg(arg);
      if (!ref) return;
      await vscode.env.clipboard.writeText(ref.revision);
      vscode.window.setStatusBarMessage(`Copied ${ref.revision}`, 3000);
    },
  };
}

export function findNode(s: Services, ref: RevisionRef) {
  return s.store.get(ref.projectId)?.graph?.nodes.find((n) => n.revision === ref.revision);
}
