// Findings of the core → LSP diagnostics, published per file, only when a file's set changed, and
// cleared from files that no longer have any (a finding about two heads leaves both files at once).
import path from 'node:path';
import { type Connection, type Diagnostic, DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver/node';
import { getRule } from '../core/rules';
import type { Finding, Severity } from '../core/types';
import { fileUri } from './positions';

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** The rule's page, shipped inside the extension (docs/rules/<id>.md beside dist/). */
export function ruleDocUri(rule: string): string {
  return fileUri(path.join(__dirname, '..', 'docs', 'rules', `${rule}.md`));
}

/** What the client declared it shows (`textDocument.publishDiagnostics` capabilities). */
export interface DiagnosticSupport {
  /** `codeDescriptionSupport`: the rule's page as a link beside the code. */
  codeDescription: boolean;
}

export function toDiagnostic(f: Finding, support: DiagnosticSupport = { codeDescription: true }): Diagnostic {
  const d: Diagnostic = {
    range: f.range,
    severity: severities[f.severity],
    code: f.rule,
    source: 'alembic',
    message: f.message,
  };
  if (support.codeDescription) d.codeDescription = { href: ruleDocUri(f.rule) };
  if (f.related?.length) {
    d.relatedInformation = f.related.map((r) => ({ location: { uri: fileUri(r.path), range: r.range }, message: r.message }));
  }
  if (getRule(f.rule)?.unnecessary) d.tags = [DiagnosticTag.Unnecessary];
  if (f.data) d.data = f.data;
  return d;
}

export class DiagnosticsPublisher {
  /** What was last sent per URI, serialized, so unchanged files are not sent again. */
  private readonly sent = new Map<string, string>();
  /**
   * The findings list last published per path: the project model hands out the very same list while a
   * file's findings are unchanged, so most files of a large project are skipped without serializing.
   */
  private readonly lastList = new Map<string, readonly Finding[]>();
  private readonly uris = new Map<string, string>();

  constructor(private readonly connection: Connection, private readonly support: DiagnosticSupport) {}

  private uriOf(p: string): string {
    let uri = this.uris.get(p);
    if (uri === undefined) {
      uri = fileUri(p);
      this.uris.set(p, uri);
    }
    return uri;
  }

  /** Publish the full set of findings by path; paths absent from the map get cleared. */
  publish(findingsByPath: ReadonlyMap<string, readonly Finding[]>): void {
    const seen = new Set<string>();
    for (const [p, findings] of findingsByPath) {
      const uri = this.uriOf(p);
      seen.add(uri);
      if (this.lastList.get(p) === findings && this.sent.has(uri)) continue;
      this.lastList.set(p, findings);
      const diagnostics = findings.map((f) => toDiagnostic(f, this.support));
      const key = JSON.stringify(diagnostics);
      if (this.sent.get(uri) === key) continue;
      this.sent.set(uri, key);
      void this.connection.sendDiagnostics({ uri, diagnostics });
    }
    for (const [p, uri] of this.uris) {
      if (seen.has(uri) || !this.sent.has(uri)) continue;
      this.sent.delete(uri);
      this.lastList.delete(p);
      void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    }
  }
}
