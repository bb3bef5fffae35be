// Choosing and checking the interpreter with real Pythons: fake virtual environments whose
// `python` is a symlink to Debian's Python (with Alembic) or to a Python without Alembic.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as cmd from '../../runtime/alembic/commandArguments';
import { checkInterpreter, forgetInterpreterChecks, InterpreterError, resolveInterpreter } from '../../runtime/alembic/interpreter';
import { AlembicRunner } from '../../runtime/alembic/runner';
import { runPython, testPython } from '../support/python';

/** sys.executable of a command, or undefined when it cannot run. */
function executableOf(command: string): string | undefined {
  const r = spawnSync(command, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function hasAlembic(python: string): boolean {
  return spawnSync(python, ['-c', 'import alembic'], { encoding: 'utf8' }).status === 0;
}

/** A real Python without Alembic: the `python3` first on PATH on these machines, or pyenv's. */
function pythonWithoutAlembic(): string | undefined {
  for (const c of ['python3', '/root/.pyenv/shims/python3', 'python']) {
    const exe = executableOf(c);
    if (exe && !hasAlembic(exe)) return exe;
  }
  return undefined;
}

function venv(root: string, target: string, dirName = '.venv'): string {
  const bin = path.join(root, dirName, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const link = path.join(bin, 'python');
  fs.symlinkSync(target, link);
  return link;
}

describe('interpreter: choice and Alembic check with real Pythons', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-interp-it-'));
    dirs.push(d);
    return d;
  };
  const expectedVersion = runPython('import alembic; print(alembic.__version__)', []).stdout.trim();
  beforeEach(() => forgetInterpreterChecks());
  after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

  it('a project .venv whose python has Alembic is chosen and reports the version; Alembic runs with it', async () => {
    const ws = tmp();
    const project = path.join(ws, 'svc');
    const link = venv(project, testPython());
    const got = await resolveInterpreter({ projectRoot: project, workspaceFolder: ws });
    assert.equal(got.path, link);
    assert.equal(got.source, 'projectVenv');
    assert.equal(got.alembicVersion, expectedVersion);
    assert.match(got.sqlalchemyVersion ?? '', /^\d+\.\d+/);

    fs.writeFileSync(path.join(project, 'alembic.ini'), '[alembic]\nscript_location = migrations\n');
    const init = spawnSync(testPython(), ['-m', 'alembic', 'init', 'migrations'], { cwd: project, encoding: 'utf8' });
    assert.equal(init.status, 0, init.stderr);
    const heads = await new AlembicRunner({ python: got.path, iniPath: path.join(project, 'alembic.ini') }).run(cmd.heads());
    assert.equal(heads.exitCode, 0, heads.stderr);
  });

  it('a .venv without Alembic fails with a message naming it, its source, and how to choose another', async function () {
    const bare = pythonWithoutAlembic();
    if (!bare) {
      console.log('      skipped: every Python on this machine has Alembic, so there is no negative case to run');
      this.skip();
    }
    const ws = tmp();
    const link = venv(ws, bare);
    await assert.rejects(resolveInterpreter({ projectRoot: ws }), (e: unknown) => {
      assert.ok(e instanceof InterpreterError);
      assert.equal(e.kind, 'noAlembic');
      assert.equal(e.choice.path, link);
      assert.ok(e.message.includes(`${link} (from the virtual environment in the project folder)`), e.message);
      assert.match(e.message, /No module named 'alembic'/);
      assert.match(e.message, /alembic\.pythonPath/);
      assert.match(e.message, /Python: Select Interpreter/);
      return true;
    });
    // The setting wins over that .venv, and names it as an alternative if the setting fails too.
    const viaSetting = await resolveInterpreter({ settingPath: testPython(), projectRoot: ws });
    assert.equal(viaSetting.source, 'setting');
    await assert.rejects(resolveInterpreter({ pythonExtensionPath: bare, projectRoot: tmp() }), /from the interpreter selected in the Python extension/);
  });

  it('the default python3 is checked like any other (here: PATH python3, which may lack Alembic)', async () => {
    const ws = tmp();
    const pathPython = executableOf('python3');
    const result = await resolveInterpreter({ projectRoot: ws }).then((ok) => ok, (e: unknown) => e);
    if (pathPython && hasAlembic(pathPython)) {
      assert.ok(!(result instanceof Error), String(result));
    } else {
      assert.ok(result instanceof InterpreterError);
      assert.equal(result.choice.path, 'python3');
      assert.match(result.message, /python3 \(from the default/);
    }
  });

  it('a missing interpreter says so; a successful check is cached per path until forgotten', async function () {
    await assert.rejects(checkInterpreter({ path: '/nonexistent/bin/python', source: 'setting' }),
      (e: unknown) => e instanceof InterpreterError && e.kind === 'notFound' && /was not found/.test(e.message));

    const bare = pythonWithoutAlembic();
    if (!bare) {
      console.log('      skipped the cache half: no Python without Alembic here');
      return;
    }
    const ws = tmp();
    const link = venv(ws, testPython());
    const first = await checkInterpreter({ path: link, source: 'projectVenv' });
    assert.equal(first.alembicVersion, expectedVersion);
    // Point the same path at a Python without Alembic: the cached answer stands...
    fs.rmSync(link);
    fs.symlinkSync(bare, link);
    assert.equal((await checkInterpreter({ path: link, source: 'projectVenv' })).alembicVersion, expectedVersion);
    // ...until the cache is told to forget (after the user changes the interpreter or installs packages).
    forgetInterpreterChecks(link);
    await assert.rejects(checkInterpreter({ path: link, source: 'projectVenv' }), /No module named 'alembic'/);
    // Failures are not cached: fixing the interpreter is seen on the next check.
    fs.rmSync(link);
    fs.symlinkSync(testPython(), link);
    assert.equal((await checkInterpreter({ path: link, source: 'projectVenv' })).alembicVersion, expectedVersion);
  });
});
