// alembic-lint: the command-line tool over the same core as the language server.
process.stdout.write('alembic-lint: not implemented yet\n');
process.exitCode = 2;
