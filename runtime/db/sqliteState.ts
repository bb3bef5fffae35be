// The version table of a SQLite file, read without SQLite touching the file: its bytes (and, in WAL mode,
// the committed frames of `<file>-wal`, sqliteWal.ts) are read with node:fs and opened in memory by sql.js
// (SQLite compiled to WebAssembly, so nothing native to build or download). A file that does not exist is
// never created; nothing is ever written next to it (no journal, no -shm), whatever the folder allows.
import fs from 'node:fs';
import { errorCode, errorMessage } from './connect';
import { problem, type DbProblem } from './problems';
import { isWalMode, replayWal } from './sqliteWal';
import { DEFAULT_VERSION_TABLE, type VersionTableName } from './versionTable';
import type { SqliteTarget } from './dialectUrl';

/** What a direct read of any dialect's version table found (databaseState.ts makes the DatabaseState). */
export type DirectRead =
  | {
      ok: true; serverVersion: string; revisions: string[]; tableExists: boolean; table: string;
      connectMs: number; queryMs: number; endpoint: string; tls: boolean; notes: string[];
    }
  | { ok: false; problem: DbProblem; endpoint?: string; notes: string[] };

type SqlJs = { Database: new (data?: Uint8Array) => SqlJsDatabase };
interface SqlJsDatabase {
  exec(sql: string): { columns: string[]; values: unknown[][] }[];
  close(): void;
}

let engine: Promise<SqlJs> | undefined;

/** sql.js, loaded once on first use (the build with the WebAssembly inlined: no file to locate at run time). */
function sqlJs(): Promise<SqlJs> {
  engine ??= (require('sql.js/dist/sql-wasm-inline.js') as () => Promise<SqlJs>)();
  return engine;
}

/** A SQLite identifier in double quotes. */
function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The version of the SQLite library that last wrote the file (header offset 96), such as `3.40.1`. */
export function writerVersion(bytes: Uint8Array): string | undefined {
  if (bytes.length < 100) return undefined;
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(96, false);
  return n > 3_000_000 ? `${Math.floor(n / 1_000_000)}.${Math.floor(n / 1000) % 1000}.${n % 1000}` : undefined;
}

export async function readSqliteVersionTable(target: SqliteTarget, name: VersionTableName = {}): Promise<DirectRead> {
  const notes = [...target.notes];
  const tableName = name.table?.trim() || DEFAULT_VERSION_TABLE;
  const schema = name.schema?.trim();
  const table = quote(tableName);
  if (target.memory || !target.file) {
    return {
      ok: false, notes,
      problem: problem('unsupportedDialect', 'The SQLite database is in memory (sqlite:// or :memory:): it exists only while the migration runs, so there is no applied state to read.'),
    };
  }
  const file = target.file;
  if (schema && schema !== 'main') {
    return {
      ok: false, endpoint: file, notes,
      problem: problem('queryFailed', `The version table schema "${schema}" names a database ATTACHed by env.py, which a read of ${file} cannot see. Leave alembic.versionTableSchema empty for SQLite.`),
    };
  }
  const started = performance.now();
  let bytes: Uint8Array;
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) {
      return { ok: false, endpoint: file, notes, problem: problem('invalidUrl', `The SQLite path ${file} is a folder, not a database file. Check the path in the URL.`) };
    }
    bytes = fs.readFileSync(file);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT') {
      return {
        ok: false, endpoint: file, notes,
        problem: problem('databaseMissing', `The SQLite file ${file} does not exist. Alembic creates it at the first upgrade (then every revision is pending); if it should exist, check the path in the URL (a relative path is relative to the folder of alembic.ini).`, code),
      };
    }
    if (code === 'EACCES' || code === 'EPERM') {
      return { ok: false, endpoint: file, notes, problem: problem('permissionDenied', `Not allowed to read the SQLite file ${file} (${code}). Check its permissions.`, code) };
    }
    return { ok: false, endpoint: file, notes, problem: problem('other', `Cannot read the SQLite file ${file}: ${errorMessage(err)}`, code) };
  }
  if (bytes.length > 0 && (bytes.length < 100 || Buffer.from(bytes.subarray(0, 16)).toString('latin1') !== 'SQLite format 3\0')) {
    return { ok: false, endpoint: file, notes, problem: problem('queryFailed', `${file} is not a SQLite database (no SQLite header). Check the path in the URL.`) };
  }
  const version = writerVersion(bytes);
  if (isWalMode(bytes)) {
    let wal: Uint8Array | undefined;
    try {
      wal = fs.readFileSync(`${file}-wal`);
    } catch {
      // no -wal file: everything is in the main file
    }
    const replay = replayWal(bytes, wal ?? new Uint8Array());
    if (replay.ignored) notes.push(`${file}-wal was not used: ${replay.ignored}.`);
    bytes = replay.bytes;
  } else if (fileSize(`${file}-journal`) > 0) {
    notes.push(`${file}-journal exists: a write was under way (or was interrupted); the state read may be from the middle of it.`);
  }
  const loaded = performance.now();

  let db: SqlJsDatabase | undefined;
  try {
    const SQL = await sqlJs();
    db = new SQL.Database(bytes.length ? bytes : undefined);
    const exists = db.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '${tableName.replace(/'/g, "''")}'`);
    if (!exists.length) {
      return done(started, loaded, { revisions: [], tableExists: false, table, endpoint: file, version, notes });
    }
    const cols = db.exec(`PRAGMA table_info(${table})`)[0]?.values.map((row) => row[1]) ?? [];
    if (!cols.includes('version_num')) {
      return { ok: false, endpoint: file, notes, problem: problem('queryFailed', `The table ${table} in ${file} has no version_num column: it is not an Alembic version table. Check alembic.versionTable.`) };
    }
    const rows = db.exec(`SELECT version_num FROM ${table}`)[0]?.values ?? [];
    const revisions = rows.map((row) => row[0]).filter((v): v is string => typeof v === 'string' && v.length > 0);
    return done(started, loaded, { revisions: [...new Set(revisions)].sort(), tableExists: true, table, endpoint: file, version, notes });
  } catch (err) {
    return { ok: false, endpoint: file, notes, problem: problem('queryFailed', `Reading the version table ${table} from ${file} failed: ${errorMessage(err)}`) };
  } finally {
    db?.close();
  }
}

function done(
  started: number, loaded: number,
  r: { revisions: string[]; tableExists: boolean; table: string; endpoint: string; version: string | undefined; notes: string[] },
): DirectRead {
  const end = performance.now();
  return {
    ok: true, serverVersion: r.version ?? 'unknown', revisions: r.revisions, tableExists: r.tableExists, table: r.table,
    connectMs: round(loaded - started), queryMs: round(end - loaded), endpoint: r.endpoint, tls: false, notes: r.notes,
  };
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
