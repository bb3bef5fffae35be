// Project discovery over an in-memory file system: alembic.ini, pyproject.toml [tool.alembic], version
// locations and separators, package:path, env.py's version table, Alembic's file filter and order.
import assert from 'node:assert/strict';
import {
  discoverProjects, isRevisionFileName, listRevisionFiles, loadConfigFile, loadConfigFiles, memoryFileSystem, readIniSettings,
  readPyprojectSettings, scanEnvPy,
} from '../../server/src/core/project';
import { ProjectModel } from '../../server/src/core/project/model';

const ini = (body: string): string => `[alembic]\n${body}\n\n[loggers]\nkeys = root\n`;

describe('project: settings', () => {
  it('splits version_locations by every separator Alembic knows', () => {
    const cases: [string, string[]][] = [
      ['version_locations = a b,c, d', ['a', 'b', 'c', 'd']],
      ['version_locations = a:b\nversion_path_separator = :', ['a', 'b']],
      ['version_locations = a;b c\nversion_path_separator = ;', ['a', 'b c']],
      ['version_locations = a b\nversion_path_separator = space', ['a', 'b']],
      ['version_locations = a:b\nversion_path_separator = os', ['a', 'b']],
      ['version_locations =\n  a\n  b c\npath_separator = newline', ['a', 'b c']],
      ['version_locations = a;b\npath_separator = ;\nversion_path_separator = :', ['a', 'b']],
    ];
    for (const [body, expected] of cases) {
      const s = readIniSettings('/p/alembic.ini', ini(`script_location = m\n${body}`));
      assert.deepEqual(s.versionLocations, expected, body);
      assert.deepEqual(s.problems, [], body);
    }
    const bad = readIniSettings('/p/alembic.ini', ini('script_location = m\nversion_locations = a\nversion_path_separator = tab'));
    assert.match(bad.problems[0] ?? '', /'tab' is not a valid value for version_path_separator/);
  });

  it('reads the options Alembic uses, and reports a missing script_location in Alembic\'s words', () => {
    const s = readIniSettings('/p/alembic.ini', ini('script_location = %(here)s/db\nfile_template = %%(rev)s\nrecursive_version_locations = true\nsqlalchemy.url = postgresql://x'));
    assert.equal(s.scriptLocation, '/p/db');
    assert.equal(s.fileTemplate, '%(rev)s');
    assert.equal(s.recursiveVersionLocations, true);
    assert.equal(s.sqlalchemyUrl, 'postgresql://x');
    assert.equal(readIniSettings('/p/alembic.ini', ini('script_location = m\nrecursive_version_locations = True')).recursiveVersionLocations, false, 'Alembic compares with "true" exactly');
    assert.match(readIniSettings('/p/alembic.ini', ini('x = 1')).problems.join('\n'), /No 'script_location' key found in configuration\./);
  });

  it('reads [tool.alembic] from pyproject.toml and fills options the ini lacks', () => {
    const toml = '[tool.alembic]\nscript_location = "%(here)s/migrations"\nversion_locations = ["%(here)s/a", "%(here)s/b"]\nrecursive_version_locations = true\n';
    const s = readPyprojectSettings('/p/pyproject.toml', toml);
    assert.ok(s);
    assert.equal(s.kind, 'pyproject');
    assert.equal(s.scriptLocation, '/p/migrations');
    assert.deepEqual(s.versionLocations, ['/p/a', '/p/b']);
    assert.equal(s.recursiveVersionLocations, true);
    assert.equal(readPyprojectSettings('/p/pyproject.toml', '[project]\nname = "x"\n'), undefined);
    const merged = readIniSettings('/p/alembic.ini', ini('sqlalchemy.url = x'), { pyproject: { path: '/p/pyproject.toml', text: toml } });
    assert.equal(merged.scriptLocation, '/p/migrations', 'script_location from the toml');
    assert.deepEqual(merged.problems, []);
    const wrongType = readPyprojectSettings('/p/pyproject.toml', '[tool.alembic]\nscript_location = "m"\nrecursive_version_locations = "yes"\n');
    assert.match(wrongType?.problems[0] ?? '', /boolean value expected for TOML parameter 'recursive_version_locations'/);
  });

  it('substitutes %(here)s in [tool.alembic] values as Python\'s % does, in linear time', () => {
    const read = (value: string) => readPyprojectSettings('/p/pyproject.toml', `[tool.alembic]\nscript_location = ${JSON.stringify(value)}\n`);
    const ok = read('%(here)s/m %% 50%(x) %(a%(here)s');
    assert.equal(ok?.scriptLocation, '/p/m % 50%(x) %(a%(here)s');
    assert.deepEqual(ok?.problems, ["/p/pyproject.toml: [tool.alembic] script_location: unknown substitution %(a%(here)s (only %(here)s is defined)"]);
    const started = performance.now();
    const unclosed = read('%('.repeat(50_000));
    const unknown = read(`%(${'n'.repeat(100)})s`.repeat(20_000));
    assert.ok(performance.now() - started < 500, `took ${Math.round(performance.now() - started)} ms`);
    assert.equal(unclosed?.scriptLocation, '%('.repeat(50_000));
    assert.deepEqual(unknown?.problems, [`/p/pyproject.toml: [tool.alembic] script_location: unknown substitution %(${'n'.repeat(40)}…)s (only %(here)s is defined)`],
      'reported once, cut short');
  });

  it('scans env.py for literal version_table arguments only', () => {
    assert.deepEqual(scanEnvPy('context.configure(\n  connection=c,  # version_table="no"\n  version_table="my_versions",\n  version_table_schema=\'audit\')\n'),
      { versionTable: 'my_versions', versionTableSchema: 'audit' });
    assert.deepEqual(scanEnvPy('context.configure(version_table=NAME)\n# context.configure(version_table="x")\ns = "configure(version_table=\'y\')"\n'), {});
    assert.deepEqual(scanEnvPy('context.configure(version_table="v_" + suffix)\n'), {});
  });

  it('scans env.py once: the first literal of each keyword wins, nested calls and raw strings as Python reads them', () => {
    const env = [
      'def offline():',
      '    context.configure(url=url, version_table=TABLE, opts=dict(version_table_schema="nested"))',
      'def online():',
      '    context.configure(',
      "        connection=c, version_table=r'v\\x', version_table_schema = '''audit''',",
      '    )',
      'context.configure(version_table="later", version_table_schema="later")',
    ].join('\n');
    assert.deepEqual(scanEnvPy(env), { versionTable: 'v\\x', versionTableSchema: 'audit' });
    assert.deepEqual(scanEnvPy('context.configure(version_table="")\n'), { versionTable: '' });
    assert.deepEqual(scanEnvPy('context.configure(version_table == "x", version_table="y" "z")\n'), {});
  });

  it('scans a hostile env.py in linear time', () => {
    const started = performance.now();
    const closed = scanEnvPy(`${'context.configure(connection=c)\n'.repeat(50_000)}context.configure(version_table="last")\n`);
    const unclosed = scanEnvPy(`${'context.configure(\n'.repeat(50_000)}version_table="deep"\n`);
    const quotes = scanEnvPy(`context.configure(${'version_table=NAME, '.repeat(50_000)})\n`);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 500, `took ${Math.round(elapsed)} ms`);
    assert.deepEqual(closed, { versionTable: 'last' });
    assert.deepEqual(unclosed, {}, 'a keyword nested 50,000 calls deep is no argument of the first call');
    assert.deepEqual(quotes, {});
  });
});

describe('project: files Alembic loads', () => {
  it('applies Alembic\'s file name filter', () => {
    for (const n of ['abc_x.py', '001_initial.py', '.hidden.py', '_private.py']) assert.ok(isRevisionFileName(n), n);
    for (const n of ['__init__.py', '__init__x.py', '.#abc.py', 'abc.pyc', 'abc.py~', 'abc.txt', 'abc.py.bak']) assert.ok(!isRevisionFileName(n), n);
  });

  it('lists files sorted, subfolders only when recursive, skipping __pycache__', async () => {
    const fs = memoryFileSystem({
      '/p/v/b.py': '', '/p/v/a.py': '', '/p/v/__init__.py': '', '/p/v/.#a.py': '', '/p/v/notes.txt': '',
      '/p/v/sub/c.py': '', '/p/v/sub/deeper/d.py': '', '/p/v/__pycache__/e.py': '', '/p/v/aa/f.py': '',
    });
    assert.deepEqual(await listRevisionFiles(fs, ['/p/v'], false), ['/p/v/a.py', '/p/v/b.py']);
    assert.deepEqual(await listRevisionFiles(fs, ['/p/v'], true), ['/p/v/a.py', '/p/v/b.py', '/p/v/aa/f.py', '/p/v/sub/c.py', '/p/v/sub/deeper/d.py']);
    assert.deepEqual(await listRevisionFiles(fs, ['/p/missing', '/p/v/sub'], false), ['/p/v/sub/c.py']);
  });

  it('orders a project model\'s files as Alembic loads them', async () => {
    const config = await loadConfigFile(memoryFileSystem({
      '/p/alembic.ini': ini('script_location = m\nrecursive_version_locations = true'),
      '/p/m/versions/z.py': '', '/p/m/versions/a/b.py': '', '/p/m/versions/b.py': '',
    }), '/p/alembic.ini');
    assert.ok(config);
    const model = new ProjectModel(config, { parse: () => ({ functions: [], enumVariables: [], executedSql: [], comments: [], lineCount: 0, syntaxProblems: [] }) });
    for (const p of ['/p/m/versions/a/b.py', '/p/m/versions/z.py', '/p/m/versions/b.py']) assert.ok(model.setFile(p, ''));
    assert.equal(model.setFile('/p/m/env.py', ''), false, 'env.py is not a revision file');
    assert.equal(model.setFile('/p/m/versions/__init__.py', ''), false);
    assert.deepEqual(model.paths(), ['/p/m/versions/b.py', '/p/m/versions/z.py', '/p/m/versions/a/b.py']);
  });
});

describe('project: discovery', () => {
  const files = {
    '/ws/alembic.ini': ini('script_location = %(here)s/migrations\nsqlalchemy.url = postgresql://u@h/d'),
    '/ws/migrations/env.py': 'context.configure(url=url, version_table="app_versions")\n',
    '/ws/migrations/versions/a.py': '',
    '/ws/services/billing/pyproject.toml': '[tool.alembic]\nscript_location = "%(here)s/db"\n',
    '/ws/services/billing/db/versions/b.py': '',
    '/ws/services/other/pyproject.toml': '[project]\nname = "other"\n',
    '/ws/services/pkg/alembic.ini': ini('script_location = myapp.data:migrations\nversion_locations = %(here)s/v1 %(here)s/v2'),
    '/ws/services/pkg/src/myapp/data/migrations/env.py': '',
    '/ws/services/pkg/v1/x.py': '',
    '/ws/node_modules/x/alembic.ini': ini('script_location = m'),
    '/ws/.venv/pyvenv.cfg': '', '/ws/.venv/lib/alembic.ini': ini('script_location = m'),
    '/ws/env2/pyvenv.cfg': '', '/ws/env2/alembic.ini': ini('script_location = m'),
  };

  it('finds every alembic.ini and [tool.alembic], skipping dependencies and virtual environments', async () => {
    const projects = await discoverProjects(memoryFileSystem(files), ['/ws']);
    assert.deepEqual(projects.map((p) => [p.id, p.kind]), [
      ['/ws/alembic.ini', 'ini'],
      ['/ws/services/billing/pyproject.toml', 'pyproject'],
      ['/ws/services/pkg/alembic.ini', 'ini'],
    ]);
    const [root, billing, pkg] = projects;
    assert.equal(root?.scriptLocationPath, '/ws/migrations');
    assert.deepEqual(root?.versionLocationPaths, ['/ws/migrations/versions']);
    assert.equal(root?.versionTable, 'app_versions');
    assert.equal(root?.sqlalchemyUrl, 'postgresql://u@h/d');
    assert.deepEqual(billing?.versionLocationPaths, ['/ws/services/billing/db/versions']);
    assert.equal(pkg?.scriptLocationPath, '/ws/services/pkg/src/myapp/data/migrations', 'package:path found under src/');
    assert.deepEqual(pkg?.versionLocationPaths, ['/ws/services/pkg/v1', '/ws/services/pkg/v2']);
    assert.match(pkg?.warnings.join('\n') ?? '', /version location '\/ws\/services\/pkg\/v2' does not exist \(Alembic skips it\)/);
    assert.deepEqual(pkg?.problems, [], 'Alembic skips a missing version location: no problem, a warning');
  });

  it('uses only the configured file when alembic.configFile is set', async () => {
    const projects = await discoverProjects(memoryFileSystem(files), ['/ws'], { configFile: 'services/pkg/alembic.ini' });
    assert.deepEqual(projects.map((p) => p.id), ['/ws/services/pkg/alembic.ini']);
    const missing = await discoverProjects(memoryFileSystem(files), ['/ws'], { configFile: '/ws/nope.ini' });
    assert.match(missing[0]?.problems[0] ?? '', /cannot read the configuration file/);
  });

  it('finds a package:path whose package holds the configuration (src layout)', async () => {
    // Prefect's layout: the alembic.ini lives inside the package it names.
    const fs = memoryFileSystem({
      '/repo/src/prefect/server/database/alembic.ini': ini('script_location = prefect:server:database:_migrations'),
      '/repo/src/prefect/server/database/_migrations/env.py': '',
      '/repo/src/prefect/server/database/_migrations/versions/a.py': '',
    });
    const p = await loadConfigFile(fs, '/repo/src/prefect/server/database/alembic.ini');
    assert.deepEqual(p?.problems, []);
    assert.equal(p?.scriptLocationPath, '/repo/src/prefect/server/database/_migrations');
    // Asked from the repository root, the root's src/ holds the package.
    const fromRoot = await discoverProjects(fs, ['/repo']);
    assert.equal(fromRoot[0]?.scriptLocationPath, '/repo/src/prefect/server/database/_migrations');
  });

  it('runs a relative script_location from the folder it exists from: an ini in conf/ naming a path from the repository root', async () => {
    // hypothesis' h and lms: conf/alembic.ini says `script_location = h/migrations`, and is run from
    // the repository root (alembic -c conf/alembic.ini). Before, this was "Path doesn't exist".
    const fs = memoryFileSystem({
      '/repo/conf/alembic.ini': ini('script_location = h/migrations\nversion_locations = h/migrations/versions h/more'),
      '/repo/h/migrations/env.py': '',
      '/repo/h/migrations/versions/a.py': 'revision = "a"\ndown_revision = None\n',
      '/repo/h/more/b.py': 'revision = "b"\ndown_revision = "a"\n',
    });
    const p = await loadConfigFile(fs, '/repo/conf/alembic.ini');
    assert.deepEqual(p?.problems, []);
    assert.equal(p?.scriptLocationPath, '/repo/h/migrations');
    assert.deepEqual(p?.versionLocationPaths, ['/repo/h/migrations/versions', '/repo/h/more'], 'version locations start at the same folder');
    assert.equal(p?.workingFolder, '/repo', 'Alembic is run from there');
    // Beside the ini, the ini's folder wins and is no working folder of its own; from nowhere, Alembic's own error.
    const beside = await loadConfigFile(memoryFileSystem({ '/r/alembic.ini': ini('script_location = m'), '/r/m/env.py': '' }), '/r/alembic.ini');
    assert.equal(beside?.workingFolder, undefined);
    const nowhere = await loadConfigFile(memoryFileSystem({ '/r/conf/alembic.ini': ini('script_location = gone') }), '/r/conf/alembic.ini');
    assert.equal(nowhere?.workingFolder, undefined);
    assert.match(nowhere?.problems[0] ?? '', /Path doesn't exist: '\/r\/conf\/gone'/);
  });

  it('warns when subfolders of a versions folder hold migrations Alembic does not read', async () => {
    const rev = 'revision = "a"\ndown_revision = None\n';
    const files = {
      '/p/alembic.ini': ini('script_location = m'),
      '/p/m/env.py': '',
      '/p/m/versions/postgresql/a.py': rev,
      '/p/m/versions/sqlite/b.py': rev,
      '/p/m/versions/__pycache__/x.py': rev,
      '/p/m/versions/helpers/util.py': 'def helper():\n    pass\n',
    };
    const p = await loadConfigFile(memoryFileSystem(files), '/p/alembic.ini');
    assert.match(p?.warnings.join('\n') ?? '', /'\/p\/m\/versions' holds no migration file, but its subfolders 'postgresql', 'sqlite' do/);
    const recursive = await loadConfigFile(memoryFileSystem({ ...files, '/p/alembic.ini': ini('script_location = m\nrecursive_version_locations = true') }), '/p/alembic.ini');
    assert.deepEqual(recursive?.warnings, [], 'recursive_version_locations reads them');
    // Neutron: a file of its own, and a folder per release below (versions/2024.1/expand/...).
    const neutron = await loadConfigFile(memoryFileSystem({
      '/p/alembic.ini': ini('script_location = m'), '/p/m/env.py': '', '/p/m/versions/kilo_initial.py': rev,
      '/p/m/versions/2024.1/expand/c.py': rev, '/p/m/versions/helpers/util.py': 'x = 1\n',
    }), '/p/alembic.ini');
    assert.match(neutron?.warnings.join('\n') ?? '', /the subfolders '2024\.1' of '\/p\/m\/versions' hold migration files that Alembic does not read/);
    const helpersOnly = await loadConfigFile(memoryFileSystem({
      '/p/alembic.ini': ini('script_location = m'), '/p/m/env.py': '', '/p/m/versions/a.py': rev, '/p/m/versions/helpers/util.py': 'x = 1\n',
    }), '/p/alembic.ini');
    assert.deepEqual(helpersOnly?.warnings, [], 'a folder of helper modules holds no migration');
  });

  it('reads each named environment of an ini as its own project (alembic --name)', async () => {
    // Netflix Dispatch: [alembic] holds only shared options, [core] and [tenant] are the environments.
    const text = '[alembic]\nfile_template = %%(rev)s\n\n[core]\nscript_location = db/core\nsqlalchemy.url = postgresql://h/core\n\n[tenant]\nscript_location = db/tenant\n\n[loggers]\nkeys = root\n';
    const files = { '/d/alembic.ini': text, '/d/db/core/env.py': '', '/d/db/core/versions/a.py': '', '/d/db/tenant/env.py': '', '/d/db/tenant/versions/b.py': '' };
    const projects = await discoverProjects(memoryFileSystem(files), ['/d']);
    assert.deepEqual(projects.map((p) => [p.id, p.iniSection, p.scriptLocationPath, p.problems]), [
      ['/d/alembic.ini#core', 'core', '/d/db/core', []],
      ['/d/alembic.ini#tenant', 'tenant', '/d/db/tenant', []],
    ]);
    assert.equal(projects[0]?.sqlalchemyUrl, 'postgresql://h/core', "the section's own options");
    // An [alembic] environment of its own comes first, beside the named ones.
    const both = await discoverProjects(memoryFileSystem({ ...files, '/d/alembic.ini': text.replace('[alembic]\n', '[alembic]\nscript_location = db/core\n') }), ['/d']);
    assert.deepEqual(both.map((p) => p.id), ['/d/alembic.ini', '/d/alembic.ini#core', '/d/alembic.ini#tenant']);
    const plain = await loadConfigFile(memoryFileSystem({ '/d/alembic.ini': '[alembic]\nfile_template = x\n' }), '/d/alembic.ini');
    assert.deepEqual(plain?.problems, ["/d/alembic.ini: No 'script_location' key found in configuration."]);
    // The ini and its pyproject.toml are read once for all its environments, not once per project made.
    const memory = memoryFileSystem({ ...files, '/d/pyproject.toml': '[tool.alembic-lint]\ndialect = "postgresql"\n' });
    const reads = new Map<string, number>();
    const counting = { ...memory, readFile: async (p: string) => { reads.set(p, (reads.get(p) ?? 0) + 1); return memory.readFile(p); } };
    assert.equal((await loadConfigFiles(counting, '/d/alembic.ini')).length, 2);
    assert.equal(reads.get('/d/alembic.ini'), 1);
  });

  it('reports a package that cannot be found', async () => {
    const p = await loadConfigFile(memoryFileSystem({ '/p/alembic.ini': ini('script_location = nopkg:migrations') }), '/p/alembic.ini');
    assert.match(p?.problems.join('\n') ?? '', /package 'nopkg' not found in the workspace/);
    assert.deepEqual(p?.versionLocationPaths, []);
  });
});
