// alembic-lint: the command-line tool over the same core as the language server.
//   alembic-lint check PATH... [--recursive] [--format text|json|sarif|codequality] [--fail-on error|warning|never] [--rule id=sev]
//                              [--base REF] [--since REV] [--scope new|all]
//   alembic-lint graph PATH... [--recursive] [--json]
// Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or configuration error (on stderr).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { mergeSeverities, severitiesFromCli, severitiesFromPyproject, type RuleSeverityMap } from '../server/src/core/config/severities';
import { revisionFacts } from '../server/src/lsp/wire';
import {
  discoverProjects, loadConfigFiles, loadFolderConfigs, loadMigrationFolder, type ProjectConfig,
} from '../server/src/core/project';
import { ProjectModel, type ReadFiles } from '../server/src/core/project/model';
import { readAllFiles } from '../server/src/core/project/fs';
import { scanVersionLocations } from '../server/src/core/project/locations';
import { loadSqlParser, type SqlParserLoad } from '../server/src/fs/sqlParser';
import { mayRunSql } from '../server/src/core/facts/sqlParser';
import { allRules, ruleIds } from '../server/src/core/rules';
import type { Finding, Severity } from '../server/src/core/types';
import { nodeFileSystem } from '../server/src/fs/nodeFileSystem';
import { DEFAULT_RELEASE_SETTINGS, type ReleaseSettings, releaseSettingsFromPyproject } from '../server/src/core/release/release';
import { type FoundRelease, findRelease } from '../server/src/git/findRelease';
import { type DatabaseUrlSource, DEFAULT_PROTECTED_DATABASES, readDatabaseUrl, runVerify, VERIFY_USAGE } from './verify';
import pkg from '../package.json';

const USAGE = `Usage:
  alembic-lint check PATH... [--recursive] [--format text|json|sarif|codequality] [--fail-on error|warning|never] [--rule RULE=SEVERITY]...
                             [--base REF] [--since REV] [--scope new|all]
  alembic-lint graph PATH... [--recursive] [--json]
${VERIFY_USAGE}
  alembic-lint rules
  alembic-lint lsp [--stdio]
  alembic-lint --help | --version

PATH is a folder holding alembic.ini or a pyproject.toml with [tool.alembic], an .ini file, a pyproject.toml,
or a folder of migration files (taken as one version location). With --recursive, every Alembic project
below each folder is checked.

check   reports problems in the revision graph and the migration files.
          --format   text (default): path:line:col: severity rule message
                     json: {"diagnostics": [...], "summary": {...}}
                     sarif: SARIF 2.1.0 for code scanning
                     codequality: GitLab's code quality report
          --fail-on  the lowest severity that makes the exit code 1 (default: error)
          --rule     override a rule's severity (error, warning, information, hint, off); repeatable.
                     Severities are also read from [tool.alembic-lint.rules] in the project's pyproject.toml.
          --base     the git ref whose history is released (default auto: origin/HEAD, origin/main,
                     origin/master, main, master). Revisions whose files are unchanged since the merge-base
                     with it are released; the others (added, modified, uncommitted) are new. CI needs the
                     base's history: actions/checkout with fetch-depth: 0. A base that is missing exits 2.
          --since    a revision: it and its ancestors are released too (for history git cannot tell).
          --scope    new (default): file rules check new revisions only; all: every revision. Graph rules
                     always check the whole graph. base, since and scope are also read from
                     [tool.alembic-lint] in pyproject.toml.
graph   prints each project's revisions (history order), heads and bases; --json for machines.
verify  upgrades, downgrades and re-upgrades every revision (or --range) on a scratch database created on
        the server of the database URL (needs CREATEDB) or on a local throwaway PostgreSQL, compares schema
        snapshots, and always drops the scratch database. Exit 0 passed, 1 failed.
          --database-url-env NAME  read the URL from the environment variable NAME
          --database-url-stdin     read the URL from the first line of standard input (a pipe or a file)
          --database-url URL       the URL itself; other users of the machine can read it, password
                                   included, in the process list (ps): prefer one of the two above
                   Without any of them: $DATABASE_URL, else a local throwaway PostgreSQL.
          --python   the interpreter with Alembic (default: .venv/venv in the project, else python3)
          --name     the named environment of the ini to verify (its section, as alembic --name); needed when
                     the ini's [alembic] section has no script_location of its own
          --local    use only a local throwaway PostgreSQL (needs initdb and pg_ctl), never the URL's server
          --protected PATTERN
                     a protected database: a glob over host/database or the database name; repeatable,
                     replaces the default (${DEFAULT_PROTECTED_DATABASES.join(', ')}, as alembic.protectedDatabases)
          --allow-protected
                     verify even when the URL's host/database matches a protected pattern. Without it such a
                     server is treated like production: nothing is created there, and the exit status is 2
rules   lists the rules with their default severities.
lsp     runs the language server (the same as alembic-language-server) over stdio, for editors: docs/editors.md.

Exit status: 0 no findings at or above --fail-on, 1 findings, 2 usage or configuration error: also when a
project has errors Alembic would stop at (an alembic.ini it cannot read, a migration file Python cannot
import or alembic-lint did not read). They are printed as "alembic-lint: error: ..." on stderr.`;

class UsageError extends Error {}

interface Options {
  command: 'check' | 'graph' | 'rules' | 'verify' | 'help' | 'version';
  databaseUrl?: DatabaseUrlSource;
  python?: string;
  range?: string;
  /** verify's `--name`: the ini section of a named environment (Alembic's --name). */
  iniSection?: string;
  verifyFormat?: 'text' | 'markdown' | 'json';
  local: boolean;
  protectedDatabases?: string[];
  allowProtected: boolean;
  paths: string[];
  recursive: boolean;
  format: 'text' | 'json' | 'sarif' | 'codequality';
  failOn: 'error' | 'warning' | 'never';
  rules: string[];
  json: boolean;
  base?: string;
  since?: string;
  scope?: 'new' | 'all';
}

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    command: 'help', paths: [], recursive: false, format: 'text', failOn: 'error', rules: [], json: false, local: false, allowProtected: false,
  };
  const rest = [...argv];
  const value = (name: string, inline: string | undefined): string => {
    if (inline !== undefined) return inline;
    const v = rest.shift();
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
    return v;
  };
  let command: string | undefined;
  while (rest.length > 0) {
    const arg = rest.shift() ?? '';
    if (arg === '--') {
      opts.paths.push(...rest.splice(0));
      break;
    }
    if (arg.startsWith('-') && arg !== '-') {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(0, eq) : arg;
      const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
      switch (name) {
        case '-h': case '--help': return { ...opts, command: 'help' };
        case '-V': case '--version': return { ...opts, command: 'version' };
        case '-r': case '--recursive': opts.recursive = true; break;
        case '--json': opts.json = true; break;
        case '--format': {
          const f = value(name, inline);
          if (f === 'markdown') { opts.verifyFormat = 'markdown'; break; }
          if (f !== 'text' && f !== 'json' && f !== 'sarif' && f !== 'codequality') throw new UsageError(`--format must be text, json, sarif or codequality (got '${f}')`);
          opts.format = f;
          break;
        }
        case '--fail-on': {
          const f = value(name, inline);
          if (f !== 'error' && f !== 'warning' && f !== 'never') throw new UsageError(`--fail-on must be error, warning or never (got '${f}')`);
          opts.failOn = f;
          break;
        }
        case '--rule': opts.rules.push(value(name, inline)); break;
        case '--base': opts.base = value(name, inline); break;
        case '--since': opts.since = value(name, inline); break;
        case '--scope': {
          const f = value(name, inline);
          if (f !== 'new' && f !== 'all') throw new UsageError(`--scope must be new or all (got '${f}')`);
          opts.scope = f;
          break;
        }
        case '--database-url': setDatabaseUrl(opts, { kind: 'argument', url: value(name, inline) }); break;
        case '--database-url-env': setDatabaseUrl(opts, { kind: 'env', name: value(name, inline) }); break;
        case '--database-url-stdin':
          if (inline !== undefined) throw new UsageError('--database-url-stdin takes no value');
          setDatabaseUrl(opts, { kind: 'stdin' });
          break;
        case '--python': opts.python = value(name, inline); break;
        case '--range': opts.range = value(name, inline); break;
        case '-n': case '--name': opts.iniSection = value(name, inline); break;
        case '--local': opts.local = true; break;
        case '--allow-protected': opts.allowProtected = true; break;
        case '--protected': (opts.protectedDatabases ??= []).push(value(name, inline)); break;
        default: throw new UsageError(`unknown option '${arg}'`);
      }
      continue;
    }
    if (command === undefined) command = arg;
    else opts.paths.push(arg);
  }
  if (command === undefined) return opts;
  if (command !== 'check' && command !== 'graph' && command !== 'rules' && command !== 'verify' && command !== 'help') throw new UsageError(`unknown command '${command}'`);
  opts.command = command;
  if (opts.databaseUrl && command !== 'verify') throw new UsageError('the database URL options are for verify only');
  if (command === 'verify') {
    if (opts.paths.length !== 1) throw new UsageError('verify needs exactly one PATH (a folder holding alembic.ini, or the ini file)');
    if (opts.format === 'sarif') throw new UsageError('verify prints text, markdown or json');
    opts.verifyFormat ??= opts.format === 'json' ? 'json' : 'text';
  } else if (opts.verifyFormat === 'markdown') {
    throw new UsageError('--format markdown is for verify only');
  } else if (opts.local || opts.allowProtected || opts.protectedDatabases) {
    throw new UsageError('--local, --protected and --allow-protected are for verify only');
  } else if (opts.iniSection !== undefined) {
    // check and graph take every environment of an ini already, each as a project of its own.
    throw new UsageError('--name is for verify only: check and graph read every named environment of an alembic.ini');
  }
  if ((command === 'check' || command === 'graph') && opts.paths.length === 0) throw new UsageError(`${command} needs at least one PATH`);
  if (command !== 'check' && (opts.base !== undefined || opts.since !== undefined || opts.scope !== undefined)) {
    throw new UsageError('--base, --since and --scope are for check only');
  }
  if (command === 'graph' && (opts.format !== 'text' || opts.rules.length > 0)) throw new UsageError('graph takes only --recursive and --json');
  return opts;
}

function setDatabaseUrl(opts: Options, source: DatabaseUrlSource): void {
  if (opts.databaseUrl) throw new UsageError('give the database URL once: --database-url-env, --database-url-stdin or --database-url');
  opts.databaseUrl = source;
}

/** The projects a PATH names (see USAGE). Configuration errors are UsageErrors (exit 2). */
async function projectsFor(p: string, recursive: boolean): Promise<ProjectConfig[]> {
  const abs = path.resolve(p);
  const kind = await nodeFileSystem.stat(abs);
  if (kind === undefined) throw new UsageError(`${p}: no such file or folder`);
  if (kind === 'file') {
    const configs = await loadConfigFiles(nodeFileSystem, abs);
    if (configs.length === 0) throw new UsageError(`${p}: no [tool.alembic] table`);
    return configs;
  }
  if (recursive) {
    const found = await discoverProjects(nodeFileSystem, [abs]);
    if (found.length === 0) throw new UsageError(`${p}: no alembic.ini or pyproject.toml with [tool.alembic] below this folder`);
    return found;
  }
  const configs = await loadFolderConfigs(nodeFileSystem, abs);
  if (configs.length > 0) return configs;
  const entries = (await nodeFileSystem.readDirectory(abs)) ?? [];
  if (!entries.some((e) => e.kind === 'file' && e.name.endsWith('.py'))) {
    throw new UsageError(`${p}: neither an Alembic project (alembic.ini, pyproject.toml with [tool.alembic]) nor a folder of migration files`);
  }
  return [await loadMigrationFolder(nodeFileSystem, abs)];
}

/**
 * Every project the paths name, loaded. Warnings (what Alembic tolerates) and problems (what it would
 * refuse: a configuration it cannot read, migration files it cannot import) go to stderr as they are
 * found; `broken` says whether any project had a problem, which makes the exit status 2.
 */
async function loadAll(
  paths: string[], recursive: boolean, stderr: (s: string) => void,
  onRead?: (config: ProjectConfig, read: ReadFiles) => Promise<{ parseAllInFull: boolean }>,
): Promise<{ models: ProjectModel[]; broken: boolean }> {
  const configs = new Map<string, ProjectConfig>();
  for (const p of paths) for (const c of await projectsFor(p, recursive)) configs.set(c.id, c);
  const models: ProjectModel[] = [];
  let broken = false;
  let sqlParser: Promise<SqlParserLoad> | undefined;
  for (const config of configs.values()) {
    const existing = [];
    for (const loc of config.versionLocationPaths) if ((await nodeFileSystem.stat(loc)) === 'directory') existing.push(loc);
    if (existing.length === 0) {
      throw new UsageError(`${config.configFile}: no version location to read\n${[...config.problems, ...config.warnings].map((x) => `  ${x}`).join('\n')}`);
    }
    for (const warning of config.warnings) stderr(`alembic-lint: warning: ${warning}\n`);
    const listing = await scanVersionLocations(nodeFileSystem, config.versionLocationPaths, config.recursiveVersionLocations);
    const read = { files: listing.files, folderLinks: listing.folderLinks, texts: await readAllFiles(nodeFileSystem, listing.files) };
    // What needs the texts only (git) starts now, and runs while they are parsed.
    const { parseAllInFull } = onRead ? await onRead(config, read) : { parseAllInFull: false };
    // PostgreSQL's parser reads the migrations' SQL: loaded (compiled while the files are parsed) only
    // when some migration runs SQL, and before any rule runs.
    if (!sqlParser && read.texts.some((t) => t.text !== undefined && mayRunSql(t.text))) sqlParser = loadSqlParser();
    // Parsed in slices with a turn of the event loop between them: git's commands, each started when
    // the one before answers, run during the parse instead of after it.
    const model = await ProjectModel.fromFilesInSlices(config, read, { parseAllInFull, pause: () => nextTurn() });
    for (const problem of model.problems()) stderr(`alembic-lint: error: ${problem}\n`);
    broken ||= model.problems().length > 0;
    models.push(model);
  }
  const load = await sqlParser;
  if (load && !load.loaded && !load.noWebAssembly) stderr(`alembic-lint: warning: ${load.reason ?? 'PostgreSQL\'s parser did not load'}; SQL strings are read with regular expressions\n`);
  return { models, broken };
}

async function projectSeverities(config: ProjectConfig, cli: RuleSeverityMap, stderr: (s: string) => void): Promise<RuleSeverityMap> {
  const file = path.join(config.root, 'pyproject.toml');
  const text = await nodeFileSystem.readFile(file);
  if (text === undefined) return cli;
  const r = severitiesFromPyproject(text, file, ruleIds);
  if (r.errors.length > 0) throw new UsageError(r.errors.join('\n'));
  for (const w of r.warnings) stderr(`alembic-lint: warning: ${w}\n`);
  return mergeSeverities(r.severities, cli);
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

function summary(findings: Finding[], models: ProjectModel[]): Record<string, number> {
  const count = (s: Severity): number => findings.filter((f) => f.severity === s).length;
  return {
    projects: models.length,
    files: models.reduce((n, m) => n + m.paths().length, 0),
    revisions: models.reduce((n, m) => n + m.graph.nodes.size, 0),
    errors: count('error'),
    warnings: count('warning'),
    information: count('information'),
    hints: count('hint'),
    total: findings.length,
  };
}

/**
 * A rule's page (docs/rules/<id>.md, shipped beside dist/) as SARIF `help`: code scanning shows it
 * with the alert. There is no public web address to link to, and a made-up one would be a dead link.
 */
function ruleHelp(id: string): { text: string; markdown: string } | undefined {
  try {
    const markdown = fs.readFileSync(path.join(__dirname, '..', 'docs', 'rules', `${id}.md`), 'utf8');
    // The plain-text form: the paragraph under the title and the severity line.
    const text = markdown.split(/\n\s*\n/).find((p: string) => !p.startsWith('#') && !p.startsWith('**')) ?? '';
    return { text: text.replace(/\s*\n\s*/g, ' ').trim(), markdown };
  } catch {
    return undefined;
  }
}

function sarif(findings: Finding[]): unknown {
  const rules = allRules.map((r) => {
    const help = ruleHelp(r.id);
    return {
      id: r.id,
      name: r.id,
      shortDescription: { text: r.description },
      ...(help ? { fullDescription: { text: help.text }, help } : {}),
      defaultConfiguration: { level: sarifLevel(r.defaultSeverity) },
    };
  });
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const location = (p: string, range: Finding['range']): unknown => ({
    physicalLocation: {
      artifactLocation: { uri: toUri(p), ...(path.isAbsolute(toUri(p)) ? {} : { uriBaseId: '%SRCROOT%' }) },
      region: { startLine: range.start.line + 1, startColumn: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 },
    },
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'alembic-lint', version: pkg.version, rules } },
      columnKind: 'utf16CodeUnits',
      originalUriBaseIds: { '%SRCROOT%': { uri: `${pathToUri(process.cwd())}/` } },
      results: findings.map((f) => ({
        ruleId: f.rule,
        ...(index.has(f.rule) ? { ruleIndex: index.get(f.rule) } : {}),
        level: sarifLevel(f.severity),
        message: { text: f.message },
        locations: [location(f.path, f.range)],
        ...(f.related && f.related.length > 0
          ? { relatedLocations: f.related.map((r, i) => ({ id: i + 1, message: { text: r.message }, ...(location(r.path, r.range) as object) })) }
          : {}),
      })),
    }],
  };
}

/** GitLab's code quality report: one issue per finding; the fingerprint lets GitLab follow it between pipelines. */
function codeQuality(findings: Finding[]): unknown[] {
  const level: Record<Severity, string> = { error: 'major', warning: 'minor', information: 'info', hint: 'info' };
  return findings.map((f) => {
    const file = path.relative(process.cwd(), f.path).split(path.sep).join('/');
    return {
      description: f.message,
      check_name: f.rule,
      fingerprint: createHash('sha1').update(`${f.rule}\0${file}\0${f.range.start.line}\0${f.message}`).digest('hex'),
      severity: level[f.severity],
      location: { path: file, lines: { begin: f.range.start.line + 1 } },
    };
  });
}

function sarifLevel(s: Severity): 'error' | 'warning' | 'note' {
  return s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note';
}

/** A path relative to the working folder as a URI reference (forward slashes, escaped), else a file URI. */
function toUri(p: string): string {
  const rel = path.relative(process.cwd(), p);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).map(encodeURIComponent).join('/');
  return pathToUri(p);
}

function pathToUri(p: string): string {
  return `file://${p.split(path.sep).map(encodeURIComponent).join('/')}`;
}

/** The release settings of a project: [tool.alembic-lint] in its pyproject.toml, then the options. */
async function releaseSettings(config: ProjectConfig, opts: Options): Promise<{ file: string; settings: ReleaseSettings }> {
  const file = path.join(config.root, 'pyproject.toml');
  const text = await nodeFileSystem.readFile(file);
  const fromFile = text === undefined ? { settings: {}, errors: [] } : releaseSettingsFromPyproject(text, file);
  if (fromFile.errors.length > 0) throw new UsageError(fromFile.errors.join('\n'));
  const settings: ReleaseSettings = {
    ...DEFAULT_RELEASE_SETTINGS, ...fromFile.settings,
    ...(opts.base !== undefined ? { base: opts.base } : {}), ...(opts.since !== undefined ? { since: opts.since } : {}),
    ...(opts.scope !== undefined ? { scope: opts.scope } : {}),
  };
  return { file, settings };
}

interface ReleaseLookup {
  file: string;
  settings: ReleaseSettings;
  found: FoundRelease;
}

/** Asks git which files are released (started as soon as the texts are read: git runs while they are parsed). */
async function lookUpRelease(config: ProjectConfig, settings: ReturnType<typeof releaseSettings>, texts: ReadonlyMap<string, string>): Promise<ReleaseLookup> {
  const { file, settings: s } = await settings;
  const found = await findRelease({ projectRoot: config.root, versionLocations: config.versionLocationPaths, recursive: config.recursiveVersionLocations, texts }, s, 'spawn');
  return { file, settings: s, found };
}

/**
 * Tells released from new revisions (git run with safe options: the user runs the CLI on a checkout of
 * their choosing). A base the user named, or any base in a shallow clone, that cannot be used is a
 * configuration error (exit 2): checking everything instead would pass or fail CI for the wrong reason.
 */
async function applyRelease(model: ProjectModel, lookup: Promise<ReleaseLookup>, opts: Options, err: (s: string) => void): Promise<void> {
  const { file, settings, found } = await lookup;
  if (found.problem && (settings.base !== 'auto' || found.problem.shallow)) {
    const from = opts.base !== undefined ? '--base' : `${file} [tool.alembic-lint] base`;
    throw new UsageError(`${found.problem.message}${settings.base !== 'auto' ? ` (${from} ${settings.base})` : ''}`);
  }
  model.setRelease(found.release);
  const sinceProblem = model.sinceProblem;
  if (sinceProblem) throw new UsageError(`${model.config.configFile}: ${sinceProblem}`);
  if (found.release.note) err(`alembic-lint: note: ${found.release.note}\n`);
}

async function runCheck(opts: Options, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const cli = severitiesFromCli(opts.rules, ruleIds);
  if (cli.errors.length > 0) throw new UsageError(cli.errors.join('\n'));
  const releases = new Map<string, Promise<ReleaseLookup>>();
  const { models, broken } = await loadAll(opts.paths, opts.recursive, err, async (config, read) => {
    const texts = new Map<string, string>();
    read.files.forEach((p, i) => { const t = read.texts[i]?.text; if (t !== undefined) texts.set(p, t); });
    const settings = releaseSettings(config, opts);
    const lookup = lookUpRelease(config, settings, texts);
    lookup.catch(() => undefined); // awaited (and its error reported) by applyRelease
    releases.set(config.id, lookup);
    // Scope all runs every file's rules: each file is parsed once, in full, instead of a header pass
    // first. A pyproject.toml that cannot be read is reported once, by applyRelease, after the load's
    // own problems.
    return { parseAllInFull: await settings.then((r) => r.settings.scope === 'all', () => false) };
  });
  for (const m of models) {
    const lookup = releases.get(m.config.id);
    if (!lookup) throw new Error(`no release lookup for ${m.config.id}`);
    await applyRelease(m, lookup, opts, err);
  }
  const findings: Finding[] = [];
  for (const m of models) findings.push(...m.findings(await projectSeverities(m.config, cli.severities, err)));
  findings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character));
  const sum = summary(findings, models);
  if (opts.format === 'json') {
    out(`${JSON.stringify({
      diagnostics: findings.map((f) => ({
        path: f.path, line: f.range.start.line + 1, column: f.range.start.character + 1,
        endLine: f.range.end.line + 1, endColumn: f.range.end.character + 1, severity: f.severity, rule: f.rule, message: f.message,
      })),
      summary: sum,
    }, null, 2)}\n`);
  } else if (opts.format === 'sarif') {
    out(`${JSON.stringify(sarif(findings), null, 2)}\n`);
  } else if (opts.format === 'codequality') {
    out(`${JSON.stringify(codeQuality(findings), null, 2)}\n`);
  } else {
    for (const f of findings) out(`${displayPath(f.path)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.rule} ${f.message}\n`);
    err(`alembic-lint: ${sum.revisions} revisions in ${sum.projects} project${sum.projects === 1 ? '' : 's'}: ` +
      `${sum.errors} error${sum.errors === 1 ? '' : 's'}, ${sum.warnings} warning${sum.warnings === 1 ? '' : 's'}, ` +
      `${sum.information} information, ${sum.hints} hint${sum.hints === 1 ? '' : 's'}\n`);
  }
  // The findings are printed either way; a project Alembic would not load as shown is a configuration error.
  if (broken) return configurationError(err);
  if (opts.failOn === 'never') return 0;
  const limit = RANK[opts.failOn];
  return findings.some((f) => RANK[f.severity] <= limit) ? 1 : 0;
}

async function runGraph(opts: Options, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { models, broken } = await loadAll(opts.paths, opts.recursive, err);
  const projects = models.map((m) => {
    const g = m.graph;
    return {
      root: m.config.root,
      // Only for a named environment of the ini (`alembic --name`): the JSON keeps its shape otherwise.
      ...(m.config.iniSection !== undefined ? { iniSection: m.config.iniSection } : {}),
      versionLocations: m.config.versionLocationPaths,
      revisions: m.historyNodes().map(revisionFacts),
      heads: g.heads,
      bases: g.bases,
    };
  });
  if (opts.json) {
    out(`${JSON.stringify({ projects }, null, 2)}\n`);
    return broken ? configurationError(err) : 0;
  }
  for (const p of projects) {
    out(`${displayPath(p.root)}${p.iniSection !== undefined ? ` [${p.iniSection}]` : ''} (${p.revisions.length} revisions; heads: ${p.heads.join(', ') || '-'}; bases: ${p.bases.join(', ') || '-'})\n`);
    for (const r of p.revisions) {
      const marks = [p.heads.includes(r.revision) ? 'head' : '', r.downRevisions.length > 1 ? 'mergepoint' : '', r.branchLabels.length ? r.branchLabels.join(',') : ''].filter(Boolean);
      out(`  ${r.downRevisions.join(', ') || '<base>'} -> ${r.revision}${marks.length ? ` (${marks.join(') (')})` : ''}, ${r.message ?? ''}\n`);
    }
  }
  return broken ? configurationError(err) : 0;
}

function configurationError(err: (s: string) => void): number {
  err('alembic-lint: exit status 2: Alembic would not load the project as shown (see the errors above)\n');
  return 2;
}

export async function main(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  try {
    const opts = parseArgs(argv);
    switch (opts.command) {
      case 'help': out(`${USAGE}\n`); return 0;
      case 'version': out(`alembic-lint ${pkg.version}\n`); return 0;
      case 'rules':
      {
        const width = Math.max(...allRules.map((r) => r.id.length)) + 2;
        for (const r of allRules) out(`${r.id.padEnd(width)}${r.defaultSeverity.padEnd(13)}${r.description}\n`);
      }
        return 0;
      case 'graph': return await runGraph(opts, out, err);
      case 'check': return await runCheck(opts, out, err);
      case 'verify': {
        let databaseUrl: string | undefined;
        try {
          databaseUrl = opts.databaseUrl ? await readDatabaseUrl(opts.databaseUrl) : undefined;
        } catch (e) {
          throw new UsageError(e instanceof Error ? e.message : String(e));
        }
        return await runVerify({
          path: opts.paths[0] ?? '.', format: opts.verifyFormat ?? 'text', databaseUrlEnvVar: 'DATABASE_URL',
          ...(databaseUrl ? { databaseUrl } : {}), ...(opts.python ? { python: opts.python } : {}),
          ...(opts.range ? { range: opts.range } : {}), ...(opts.iniSection ? { iniSection: opts.iniSection } : {}),
          local: opts.local, protectedDatabases: opts.protectedDatabases ?? DEFAULT_PROTECTED_DATABASES, allowProtected: opts.allowProtected,
        }, out, err);
      }
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`alembic-lint: ${e.message}\n${e.message.includes('PATH') || e.message.startsWith('unknown') || e.message.includes('--') ? 'Run alembic-lint --help for usage.\n' : ''}`);
      return 2;
    }
    err(`alembic-lint: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 2;
  }
}

/**
 * `alembic-lint lsp`: the language server bundle that ships beside this one (dist/server.js), run in
 * this process. Loaded by path, not imported: the CLI stays a client of the core, and one server
 * bundle serves both commands.
 */
function runLanguageServer(args: string[]): void {
  const server = path.join(__dirname, 'server.js');
  if (!fs.existsSync(server)) {
    process.stderr.write(`alembic-lint: the language server ${server} is missing: install the package again, or build it (node esbuild.mjs)\n`);
    process.exitCode = 2;
    return;
  }
  process.argv = [process.argv[0] ?? process.execPath, server, ...args];
  require(server);
}

if (require.main === module && process.argv[2] === 'lsp') {
  runLanguageServer(process.argv.slice(3));
} else if (require.main === module) {
  // `alembic-lint check ... | head`: a closed pipe ends the output quietly, like other command-line tools.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  // exitCode rather than process.exit(): stdout is flushed before Node exits, so large JSON is complete.
  void main(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s)).then((code) => {
    process.exitCode = code;
  });
}
