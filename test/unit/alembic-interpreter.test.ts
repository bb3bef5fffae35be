import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chooseInterpreter, interpreterCandidates, InterpreterError } from '../../runtime/alembic/interpreter';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-interp-'));
}

function fakePython(dir: string, ...rel: string[]): string {
  const p = path.join(dir, ...rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, '');
  return p;
}

describe('alembic interpreter choice', () => {
  const dirs: string[] = [];
  after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

  it('prefers setting, then Python extension, then project venv, workspace venv, then python3', () => {
    const ws = tempDir(); dirs.push(ws);
    const project = path.join(ws, 'svc');
    const projVenv = fakePython(project, '.venv', 'bin', 'python');
    const wsVenv = fakePython(ws, 'venv', 'bin', 'python');
    const all = interpreterCandidates({ settingPath: '/opt/py/bin/python', pythonExtensionPath: '/ext/python', projectRoot: project, workspaceFolder: ws, platform: 'linux' });
    assert.deepEqual(all.map((c) => [c.source, c.path]), [
      ['setting', '/opt/py/bin/python'], ['pythonExtension', '/ext/python'],
      ['projectVenv', projVenv], ['workspaceVenv', wsVenv], ['default', 'python3'],
    ]);
    assert.equal(chooseInterpreter({ pythonExtensionPath: '/ext/python', projectRoot: project }).source, 'pythonExtension');
    assert.deepEqual(chooseInterpreter({ projectRoot: project, workspaceFolder: ws, platform: 'linux' }), { path: projVenv, source: 'projectVenv' });
    assert.deepEqual(chooseInterpreter({ projectRoot: path.join(ws, 'other'), workspaceFolder: ws, platform: 'linux' }), { path: wsVenv, source: 'workspaceVenv' });
    assert.deepEqual(chooseInterpreter({ projectRoot: path.join(ws, 'none'), platform: 'linux' }), { path: 'python3', source: 'default' });
    // Empty strings (an unset setting in VS Code) do not count.
    assert.equal(chooseInterpreter({ settingPath: '  ', pythonExtensionPath: '', projectRoot: project, platform: 'linux' }).source, 'projectVenv');
  });

  it('.venv wins over venv, a broken symlink does not count, Windows uses Scripts/python.exe', () => {
    const ws = tempDir(); dirs.push(ws);
    fakePython(ws, 'venv', 'bin', 'python');
    fs.mkdirSync(path.join(ws, '.venv', 'bin'), { recursive: true });
    fs.symlinkSync(path.join(ws, 'nowhere', 'python'), path.join(ws, '.venv', 'bin', 'python'));
    assert.equal(chooseInterpreter({ projectRoot: ws, platform: 'linux' }).path, path.join(ws, 'venv', 'bin', 'python'));
    const good = fakePython(ws, '.venv', 'bin', 'python3');
    fs.rmSync(path.join(ws, '.venv', 'bin', 'python'));
    fs.symlinkSync(good, path.join(ws, '.venv', 'bin', 'python'));
    assert.equal(chooseInterpreter({ projectRoot: ws, platform: 'linux' }).path, path.join(ws, '.venv', 'bin', 'python'));

    const win = tempDir(); dirs.push(win);
    fakePython(win, '.venv', 'Scripts', 'python.exe');
    const c = chooseInterpreter({ projectRoot: win, platform: 'win32' });
    assert.equal(c.source, 'projectVenv');
    assert.ok(c.path.endsWith(path.join('.venv', 'Scripts', 'python.exe')), c.path);
    assert.deepEqual(chooseInterpreter({ platform: 'win32' }), { path: 'python', source: 'default' });
  });

  it('expands ${workspaceFolder}, ~ and workspace-relative settings; bare names stay for PATH lookup', () => {
    assert.equal(chooseInterpreter({ settingPath: '${workspaceFolder}/.venv/bin/python', workspaceFolder: '/w' }).path, '/w/.venv/bin/python');
    assert.equal(chooseInterpreter({ settingPath: 'env/bin/python', workspaceFolder: '/w' }).path, '/w/env/bin/python');
    assert.equal(chooseInterpreter({ settingPath: '~/py/bin/python' }).path, path.join(os.homedir(), 'py/bin/python'));
    assert.equal(chooseInterpreter({ settingPath: 'python3.12', workspaceFolder: '/w' }).path, 'python3.12');
  });

  it('the error names the interpreter, its source, the setting and the Python extension command', () => {
    const e = new InterpreterError({ path: '/x/python', source: 'pythonExtension' }, "it has no Alembic (No module named 'alembic')", 'noAlembic',
      [{ path: '/p/.venv/bin/python', source: 'projectVenv' }]);
    assert.match(e.message, /\/x\/python \(from the interpreter selected in the Python extension\)/);
    assert.match(e.message, /alembic\.pythonPath/);
    assert.match(e.message, /Python: Select Interpreter/);
    assert.match(e.message, /Other interpreters found: \/p\/\.venv\/bin\/python/);
  });
});
