// The schema change of the last upgrade, downgrade or stamp run from the editor: the notification's
// "Show Schema Change" button and "Alembic: Show Last Schema Change" open its report as Markdown. The
// snapshots, the diff and the report are runtime/db/schemaChange.ts's.
import * as vscode from 'vscode';
import { changeReportMarkdown, type ChangeReport } from '../../../runtime/db/schemaChange';

let last: ChangeReport | undefined;

export function rememberSchemaChange(report: ChangeReport): void {
  last = report;
}

/** Opens the report in a Markdown editor; the document, or undefined when no run has made one. */
export async function showSchemaChange(report: ChangeReport | undefined = last): Promise<vscode.TextDocument | undefined> {
  if (!report) {
    void vscode.window.showInformationMessage('Alembic: no upgrade, downgrade or stamp has run from the editor in this window yet.');
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: changeReportMarkdown(report) });
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

export function schemaChangeCommands(): Record<string, (...args: unknown[]) => unknown> {
  return { 'alembic.showSchemaChange': () => showSchemaChange() };
}
