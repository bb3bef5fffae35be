// Our file names and our rendering of script.py.mako, compared with what the real Alembic writes
// (`alembic revision`, `alembic merge`) and what the real Mako renders. No database needed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  alembicNamespace, createRevisionFromTemplate, loadTemplateLibrary, renderScriptMako, revisionFileName,
  type AlembicScriptVariables, type MigrationTemplate,
} from '../../server/src/core/templates';
import { copyFixture, repoRoot } from '../support/paths';
import { runAlembic, runPython, type PythonResult } from '../support/python';

const libraryDir = path.join(repoRoot, 'migrations-templates');
const library = loadTemplateLibrary(fs.readFileSync(path.join(libraryDir, 'manifest.json'), 'utf8'),
  (f) => fs.readFileSync(path.join(libraryDir, f), 'utf8'));
const template = (id: string): MigrationTemplate => {
  const t = library.find((x) => x.id === id);
  assert.ok(t, id);
  return t;
};

function ok(r: PythonResult, what: string): string {
  assert.equal(r.status, 0, `${what} exited ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r.stdout;
}

/** The folder of Alembic's own project templates (generic, async, multidb) in the installed Alembic. */
let templatesDir: string | undefined;
function alembicTemplatesDir(): string {
  templatesDir ??= ok(runPython('import alembic, os; print(os.path.join(os.path.dirname(alembic.__file__), "templates"))', []), 'locate alembic').trim();
  return templatesDir;
}

/** A scratch copy of the base fixture with Alembic's generic script.py.mako and extra [alembic] options. */
function scratchProject(options: Record<string, string> = {}): { project: string; ini: string; versions: string; mako: string } {
  const project = copyFixture('templates-base');
  const mako = path.join(project, 'migrations', 'script.py.mako');
  fs.copyFileSync(path.join(alembicTemplatesDir(), 'generic', 'script.py.mako'), mako);
  const ini = path.join(project, 'alembic.ini');
  const extra = Object.entries(options).map(([k, v]) => `${k} = ${v}`).join('\n');
  fs.writeFileSync(ini, fs.readFileSync(ini, 'utf8').replace('[alembic]\n', `[alembic]\n${extra}\n`));
  return { project, ini, versions: path.join(project, 'migrations', 'versions'), mako };
}

/** Runs an Alembic command that writes one new revision file; returns its name and text. */
function newFileFrom(ini: string, versions: string, args: string[]): { fileName: string; text: string } {
  const before = new Set(fs.readdirSync(versions));
  ok(runAlembic(ini, args), `alembic ${args.join(' ')}`);
  const added = fs.readdirSync(versions).filter((f) => !before.has(f));
  assert.equal(added.length, 1, `one new file, got ${added.join(', ')}`);
  const fileName = added[0] ?? '';
  return { fileName, text: fs.readFileSync(path.join(versions, fileName), 'utf8') };
}

/** The Create Date Alembic wrote (local time, microseconds) and the same instant as a Date (milliseconds). */
function createDateOf(text: string): { text: string; date: Date } {
  const m = /^Create Date: (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{6}))?$/m.exec(text);
  assert.ok(m, 'a Create Date line');
  const [, y, mo, d, h, mi, sec, us] = m.map((v) => (v === undefined ? 0 : Number(v)));
  return { text: m[0].slice('Create Date: '.length), date: new Date(y ?? 0, (mo ?? 1) - 1, d, h, mi, sec, Math.floor((us ?? 0) / 1000)) };
}

describe('templates compared with the real Alembic and Mako', function () {
  this.timeout(60_000);
  const made: string[] = [];
  after(() => {
    for (const p of made) fs.rmSync(p, { recursive: true, force: true });
  });

  const namingCases: { title: string; options: Record<string, string>; message: string; fileTemplate?: string; truncate?: number }[] = [
    { title: 'the default file_template', options: {}, message: 'Add some Column to the Üsers table, now!' },
    {
      title: 'a dated file_template with a short truncate_slug_length',
      options: { file_template: '%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d%%(second).2d_%%(rev)s_%%(slug)s', truncate_slug_length: '20' },
      fileTemplate: '%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d%%(second).2d_%%(rev)s_%%(slug)s', truncate: 20,
      message: 'Add some Column to the Üsers table, now!',
    },
    {
      title: 'epoch and unpadded tokens, a non-ASCII message',
      options: { file_template: '%%(epoch)s-%%(month)s-%%(day)s-%%(rev)s-%%(slug)s' },
      fileTemplate: '%%(epoch)s-%%(month)s-%%(day)s-%%(rev)s-%%(slug)s',
      message: 'données: été 2024 — café, 日本語 ½',
    },
  ];
  for (const c of namingCases) {
    it(`file names: ${c.title} gives the name \`alembic revision\` gives`, () => {
      const p = scratchProject(c.options);
      made.push(p.project);
      const written = newFileFrom(p.ini, p.versions, ['revision', '-m', c.message, '--rev-id', 'a1b2c3d4e5f6']);
      const { date } = createDateOf(written.text);
      const ours = revisionFileName({
        revision: 'a1b2c3d4e5f6', message: c.message, now: date,
        ...(c.fileTemplate ? { fileTemplate: c.fileTemplate } : {}), ...(c.truncate ? { truncateSlugLength: c.truncate } : {}),
      });
      assert.equal(ours, written.fileName);
    });
  }

  it("Alembic's generic and async script.py.mako render exactly as `alembic revision` writes them", () => {
    for (const kind of ['generic', 'async']) {
      const p = scratchProject();
      made.push(p.project);
      fs.copyFileSync(path.join(alembicTemplatesDir(), kind, 'script.py.mako'), p.mako);
      const written = newFileFrom(p.ini, p.versions, ['revision', '-m', 'add "quoted" things', '--rev-id', 'b1b2c3d4e5f6']);
      const vars: AlembicScriptVariables = {
        message: 'add "quoted" things', up_revision: 'b1b2c3d4e5f6', down_revision: '0001_base',
        branch_labels: null, depends_on: null, create_date: createDateOf(written.text).text,
      };
      const r = renderScriptMako(fs.readFileSync(p.mako, 'utf8'), alembicNamespace(vars));
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.equal(r.text, written.text, kind);
    }
  });

  it('an empty revision from the project template differs from `alembic revision` only in the raising downgrade', () => {
    const p = scratchProject();
    made.push(p.project);
    const written = newFileFrom(p.ini, p.versions, ['revision', '-m', 'later', '--rev-id', 'c1b2c3d4e5f6']);
    const created = createDateOf(written.text);
    const ours = createRevisionFromTemplate({
      template: template('empty'), answers: { message: 'later' },
      project: { versionLocation: p.versions, scriptTemplate: fs.readFileSync(p.mako, 'utf8') },
      heads: ['0001_base'], now: created.date, revisionId: 'c1b2c3d4e5f6',
    });
    assert.deepEqual(ours.notes, []);
    assert.equal(ours.fileName, written.fileName);
    // JavaScript dates carry milliseconds, Python's microseconds: compare the create date separately.
    const theirs = written.text.replace(created.text, '<date>');
    const mine = ours.text.replace(/^Create Date: .*$/m, 'Create Date: <date>');
    assert.equal(mine, theirs.replace(/def downgrade\(\) -> None:\n {4}pass\n/,
      'def downgrade() -> None:\n    raise NotImplementedError("downgrade of c1b2c3d4e5f6 is not written yet")\n'));
    assert.ok(created.date.getTime() <= Date.now());
  });

  it('a merge from the project template is what `alembic merge` writes', () => {
    const p = scratchProject();
    made.push(p.project);
    const branches = ['d1b2c3d4e5f6', 'e1b2c3d4e5f6'].map((id) =>
      newFileFrom(p.ini, p.versions, ['revision', '-m', `branch ${id}`, '--rev-id', id, '--head', '0001_base', '--splice']));
    assert.equal(branches.length, 2);
    const written = newFileFrom(p.ini, p.versions, ['merge', '-m', 'merge heads', '--rev-id', 'f1b2c3d4e5f6', 'heads']);
    const parents = /^down_revision = \('(\w+)', '(\w+)'\)$/m.exec(written.text)?.slice(1) ?? [];
    assert.deepEqual([...parents].sort(), ['d1b2c3d4e5f6', 'e1b2c3d4e5f6']);
    const created = createDateOf(written.text);
    const ours = createRevisionFromTemplate({
      template: template('merge'), answers: {},
      project: { versionLocation: p.versions, scriptTemplate: fs.readFileSync(p.mako, 'utf8') },
      heads: parents, now: created.date, revisionId: 'f1b2c3d4e5f6',
    });
    assert.equal(ours.fileName, written.fileName);
    assert.equal(ours.text.replace(/^Create Date: .*$/m, ''), written.text.replace(/^Create Date: .*$/m, ''));
  });

  it("Alembic's multidb script.py.mako is refused with the reason (it loops over config in Python)", () => {
    const r = renderScriptMako(fs.readFileSync(path.join(alembicTemplatesDir(), 'multidb', 'script.py.mako'), 'utf8'), alembicNamespace({
      message: 'm', up_revision: 'r', down_revision: null, branch_labels: null, depends_on: null, create_date: '2024-01-01 00:00:00',
    }));
    assert.ok(!r.ok);
    assert.match(r.reason, /line \d+: .*not supported/);
  });

  it('our Mako subset renders like the real Mako on every construct it supports', () => {
    const cases = [
      '${message}|${up_revision}|${down_revision | comma,n}|${create_date}|${repr(up_revision)} ${repr(down_revision)} ${repr(branch_labels)} ${down_revision}',
      '${imports if imports else ""}|${upgrades if upgrades else "pass"}|${downgrades if downgrades else \'pass\'}',
      '${"a" if not imports and message else "b"}${"c" if branch_labels is None else "d"} ${message == "m 1"} ${message != \'x\'} ${(branch_labels or "none")}',
      '## a comment\n  ## indented comment\n<%doc>\n${nothing}\n</%doc>\nA ${message} \\\ncontinued\n<%text>${raw} % not control</%text>\n%% literal\n',
      '% if imports:\nI\n% elif message:\nM\n%   if not upgrades:\nnested ${message}\n%   endif\n% else:\nE\n% endif\nend\n',
      '<%!\nimport re\n\n%>"""${message}"""\n[${"  x  " | trim}] ${"<a & \'b\'>" | h} cost $5 < 6 <b>\n',
      'x = ${repr(message)}\ny = ${repr(depends_on)}\nz = ${comma(down_revision)}\n',
      // The typed layout of recent Alembic versions (written for this test).
      [
        '"""${message}', '', 'Revision ID: ${up_revision}', 'Revises: ${down_revision | comma,n}', 'Create Date: ${create_date}', '', '"""',
        'from typing import Sequence, Union', '', 'from alembic import op', 'import sqlalchemy as sa', '${imports if imports else ""}', '',
        '# revision identifiers, used by Alembic.', 'revision: str = ${repr(up_revision)}',
        'down_revision: Union[str, Sequence[str], None] = ${repr(down_revision)}',
        'branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}',
        'depends_on: Union[str, Sequence[str], None] = ${repr(depends_on)}', '', '',
        'def upgrade() -> None:', '    """Upgrade schema."""', '    ${upgrades if upgrades else "pass"}', '', '',
        'def downgrade() -> None:', '    """Downgrade schema."""', '    ${downgrades if downgrades else "pass"}', '',
      ].join('\n'),
    ];
    const script = [
      'import datetime, json, sys',
      'from mako.template import Template',
      'cases = json.loads(sys.argv[1])',
      'ns = dict(message="it\'s m 1", up_revision="abc", down_revision=("h1", "h2"), branch_labels=None, depends_on=None,',
      '          create_date=datetime.datetime(2024, 1, 2, 3, 4, 5, 6), comma=lambda v: "" if v is None else v if isinstance(v, str) else ", ".join(v))',
      'print(json.dumps([Template(c).render_unicode(**ns) for c in cases]))',
    ].join('\n');
    const real = JSON.parse(ok(runPython(script, [JSON.stringify(cases)]), 'real Mako')) as string[];
    const vars: AlembicScriptVariables = {
      message: "it's m 1", up_revision: 'abc', down_revision: ['h1', 'h2'], branch_labels: null, depends_on: null,
      create_date: '2024-01-02 03:04:05.000006',
    };
    cases.forEach((c, i) => {
      const r = renderScriptMako(c, alembicNamespace(vars));
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.equal(r.text, real[i], `case ${i}: ${c}`);
    });
  });
});
