// Read-only virtual documents for SQL previews and history output (scheme `alembic-preview`).
import * as vscode from 'vscode';

export const PREVIEW_SCHEME = 'alembic-preview';

export class SqlPreviews implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly registration: vscode.Disposable;
  private counter = 0;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** Opens a new read-only document; the title becomes its name. */
  async open(title: string, text: string, languageId: string): Promise<vscode.TextEditor> {
    const safe = title.replace(/[^\w.:@ -]+/g, '_').replace(/:/g, '..');
    const ext = languageId === 'sql' ? 'sql' : 'txt';
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${safe}.${ext}`, query: String(++this.counter) });
    this.contents.set(uri.toString(), text);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, languageId);
    return vscode.window.showTextDocument(doc, { preview: false });
  }

  /** The text of every preview opened so far (tests read it). */
  texts(): string[] {
    return [...this.contents.values()];
  }

  dispose(): void {
    this.registration.dispose();
    this.emitter.dispose();
  }
}
