// The one log of the extension: an output channel named "Alembic". Every line goes through the
// password masking first, so neither a URL password nor a stored secret can reach it.
import * as vscode from 'vscode';
import { redactSecrets } from '../../common/redact';

export class Log implements vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;
  private readonly secrets = new Set<string>();

  constructor(name = 'Alembic') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  /** Remember a secret (a database password) so that it is masked wherever it shows up later. */
  addSecret(secret: string | undefined): void {
    if (secret && secret.length >= 2) this.secrets.add(secret);
  }

  mask(text: string): string {
    return redactSecrets(text, [...this.secrets]);
  }

  info(message: string): void {
    this.channel.info(this.mask(message));
  }

  warn(message: string): void {
    this.channel.warn(this.mask(message));
  }

  error(message: string, err?: unknown): void {
    const detail = err instanceof Error ? `: ${err.message}` : err === undefined ? '' : `: ${String(err)}`;
    this.channel.error(this.mask(message + detail));
  }

  /** Output of a child process, line by line, as it arrives. */
  output(line: string): void {
    this.channel.appendLine(this.mask(line));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
