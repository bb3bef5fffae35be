// Flask-Migrate projects: `flask db <command>` runs Alembic inside the Flask app, after setting
// `script_location` to the migrations folder, and their env.py reads `current_app.extensions["migrate"]`.
// Alembic's own command line cannot run such an env.py (no app context, and the ini has no
// script_location), so a run is refused before it starts, with the `flask db` command that does it.
import fs from 'node:fs/promises';
import path from 'node:path';
import { isFlaskMigrateEnv } from '../../server/src/core/project/envPy';
import { readIniSettings } from '../../server/src/core/project/settings';
import type { AlembicCommand } from './commandArguments';

/** `flask db ...` for the same Alembic command, as a user would type it; `--directory` unless it is `migrations` below the app's folder. */
export function flaskDbCommand(command: AlembicCommand, migrationsDir: string): string {
  const quote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const dir = path.basename(migrationsDir) === 'migrations' ? [] : [`--directory=${migrationsDir}`];
  return ['flask', 'db', ...command.args, ...dir].map(quote).join(' ');
}

/** Why the run does not start, and what to run instead. */
export function flaskMigrateRefusal(command: AlembicCommand, iniPath: string, migrationsDir: string): string {
  return `${iniPath} is Flask-Migrate's: its env.py needs the Flask app (current_app), which only 'flask db' sets up, ` +
    `so Alembic's command line cannot run it. Run it from a terminal where your app is found (FLASK_APP, or --app): ` +
    `${flaskDbCommand(command, migrationsDir)} (in ${path.dirname(migrationsDir)})`;
}

/**
 * The migrations folder when `iniPath` is Flask-Migrate's (an .ini without `script_location` beside
 * Flask-Migrate's env.py), else undefined. Read as the analysis reads it (core/project).
 */
export async function flaskMigrateDirectoryOf(iniPath: string): Promise<string | undefined> {
  if (!iniPath.endsWith('.ini')) return undefined;
  const dir = path.dirname(iniPath);
  const [ini, env] = await Promise.all([readText(iniPath), readText(path.join(dir, 'env.py'))]);
  if (ini === undefined || env === undefined) return undefined;
  return readIniSettings(path.resolve(iniPath), ini).scriptLocation === undefined && isFlaskMigrateEnv(env) ? dir : undefined;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}
