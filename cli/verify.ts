// `alembic-lint verify PATH --database-url URL`: the round-trip verification of the extension's
// "Verify Round Trip…" command, from the command line. The engine lives with the client's database
// code (runtime/verify, no vscode import); this file only parses options and prints the report.
import path from 'node:path';
import { loadConfigFiles, type ProjectConfig } from '../server/src/core/project';
import { nodeFileSystem } from '../server/src/fs/nodeFileSystem';
// The runtime (pg, the Alembic runner, the reports) is imported when `verify` runs, not when the CLI
// starts: `check` never needs it, and loading it took a tenth of a large project's check.
import pkg from '../package.json';

export const VERIFY_USAGE = `  alembic-lint verify PATH [--database-url-env NAME | --database-url-stdin | --database-url URL] [--python PYTHON]
                     [--name SECTION] [--range REV|A:B|A:|:B] [--format text|markdown|json] [--local] [--protected PATTERN]...
                     [--allow-protected]`;

/** The extension's default for alembic.protectedDatabases, so that both guard the same databases. */
export const DEFAULT_PROTECTED_DATABASES: readonly string[] =
  pkg.contributes.configuration.properties['alembic.protectedDatabases'].default;

/** Where `verify` takes the database URL from; only the last is visible to other users (the process list). */
export type DatabaseUrlSource = { kind: 'env'; name: string } | { kind: 'stdin' } | { kind: 'argument'; url: string };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The URL from its source: an environment variable, the first line of standard input (a pipe or a
 * file, never a terminal, which would echo it), or the argument. Throws with the reason when it is
 * not there; the message never holds the URL.
 */
export async function readDatabaseUrl(source: DatabaseUrlSource, stdin: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin): Promise<string> {
  if (source.kind === 'argument') return source.url;
  if (source.kind === 'env') {
    if (!ENV_NAME.test(source.name)) throw new Error(`--database-url-env: '${source.name}' is not an environment variable name`);
    const value = process.env[source.name]?.trim();
    if (!value) throw new Error(`--database-url-env: the environment variable ${source.name} is not set`);
    return value;
  }
  if (stdin.isTTY) throw new Error('--database-url-stdin reads the URL from a pipe or a file (e.g. < url.txt), not from a terminal, which would show it');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const url = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0]?.trim() ?? '';
  if (!url) throw new Error('--database-url-stdin: standard input held no URL');
  return url;
}

export interface VerifyOptions {
  path: string;
  databaseUrl?: string;
  python?: string;
  range?: string;
  /** The named environment (`--name`): a section of the ini other than [alembic]. */
  iniSection?: string;
  format: 'text' | 'markdown' | 'json';
  databaseUrlEnvVar: string;
  /** Only a local throwaway PostgreSQL, never the URL's server. */
  local: boolean;
  /** Patterns of protected databases (default DEFAULT_PROTECTED_DATABASES). */
  protectedDatabases: readonly string[];
  /** Scratch databases may be made on a protected server. */
  allowProtected: boolean;
}

/**
 * The environment of the ini to verify: `problem` says why it cannot be verified as asked, before
 * anything runs: `--name` names no environment of it, or it holds named environments only and none was
 * named (Alembic would stop at "No 'script_location' key found"). `workingFolder`: the folder Alembic
 * must run in, when not the ini's. An ini that cannot be read is left to Alembic's own message.
 */
export async function verifiedEnvironment(iniPath: string, iniSection: string | undefined): Promise<{ problem?: string; workingFolder?: string }> {
  const configs = await loadConfigFiles(nodeFileSystem, iniPath, [], true).catch(() => undefined);
  const chosen = configs?.find((c) => (c.iniSection ?? 'alembic') === (iniSection ?? 'alembic'));
  const problem = environmentProblem(iniPath, iniSection, configs);
  return { ...(problem !== undefined ? { problem } : {}), ...(chosen?.workingFolder !== undefined ? { workingFolder: chosen.workingFolder } : {}) };
}

function environmentProblem(iniPath: string, iniSection: string | undefined, configs: readonly ProjectConfig[] | undefined): string | undefined {
  if (path.basename(iniPath) === 'pyproject.toml') return iniSection === undefined ? undefined : '--name is for an .ini file: pyproject.toml holds one environment';
  if (!configs) return undefined;
  const named = configs.flatMap((c) => (c.iniSection === undefined ? [] : [c.iniSection]));
  const hasMain = configs.some((c) => c.iniSection === undefined && (c.scriptLocationPath !== undefined || c.flaskMigrate));
  const choices = named.map((n) => `--name ${n}`).join(', ');
  if (iniSection === undefined || iniSection === 'alembic') {
    if (hasMain || named.length === 0) return undefined;
    return `${iniPath} has no environment in [alembic], only named ones: verify one with ${choices}`;
  }
  if (named.includes(iniSection)) return undefined;
  const others = [...(hasMain ? ['[alembic] (no --name)'] : []), ...named.map((n) => `[${n}]`)];
  return `${iniPath} has no environment [${iniSection}] (a section with a script_location)${others.length > 0 ? `; its environments: ${others.join(', ')}` : ''}`;
}

/** Runs the verification; 0 passed, 1 failed or cancelled, 2 could not run. Ctrl-C cancels and cleans up. */
export async function runVerify(o: VerifyOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const iniPath = o.path.endsWith('.ini') ? path.resolve(o.path) : path.resolve(o.path, 'alembic.ini');
  const databaseUrl = o.databaseUrl ?? process.env[o.databaseUrlEnvVar];
  // Required, not import(): see the note at the top; the file-by-file build (CommonJS) resolves a require.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { resolveInterpreter } = require('../runtime/alembic/interpreter') as typeof import('../runtime/alembic/interpreter');
  const { renderMarkdownReport, renderTextReport } = require('../runtime/verify/report') as typeof import('../runtime/verify/report');
  const { verifyProject } = require('../runtime/verify/verifyProject') as typeof import('../runtime/verify/verifyProject');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const { problem, workingFolder } = await verifiedEnvironment(iniPath, o.iniSection);
  if (problem !== undefined) {
    err(`alembic-lint: ${problem}\n`);
    return 2;
  }
  let python: string;
  try {
    python = (await resolveInterpreter({ ...(o.python ? { settingPath: o.python } : {}), projectRoot: path.dirname(iniPath) })).path;
  } catch (e) {
    err(`alembic-lint: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const abort = new AbortController();
  const onSignal = (): void => {
    err('alembic-lint: cancelling; the scratch database is being dropped\n');
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const report = await verifyProject({
      projectRoot: path.dirname(iniPath), iniPath, python, signal: abort.signal,
      ...(workingFolder !== undefined ? { workingFolder } : {}),
      databaseUrlEnvVar: o.databaseUrlEnvVar,
      ...(databaseUrl ? { databaseUrl } : {}),
      where: o.local ? 'local' : 'auto', protectedDatabases: o.protectedDatabases, allowProtected: o.allowProtected,
      ...(o.range ? { range: o.range } : {}),
      ...(o.iniSection && o.iniSection !== 'alembic' ? { iniSection: o.iniSection } : {}),
      onProgress: (p) => err(`${p.message}\n`),
    });
    if (o.format === 'json') out(`${JSON.stringify(report, null, 2)}\n`);
    else if (o.format === 'markdown') out(`${await renderMarkdownReport(report)}\n`);
    else out(`${renderTextReport(report)}\n`);
    if (report.error && report.revisions.length === 0) return 2;
    return report.ok ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
