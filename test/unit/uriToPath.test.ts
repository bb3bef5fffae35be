// One file, many spellings of its URI: the server compares documents by the path uriToPath makes, so every
// client's spelling of the same file must give the same path (issue 20: Neovim and eglot leave
// `+ ( ) @ , ' ; =` unescaped, Neovim writes lower-case hex, Windows clients write `C:` or `c%3A`).
import assert from 'node:assert/strict';
import { fileUri, uriToPath } from '../../server/src/lsp/positions';

describe('uriToPath: one path for every spelling of a file URI', () => {
  it('gives the same path for VS Code\'s, Neovim\'s and eglot\'s spelling of a path with + ( ) @ , \' ; = ä', () => {
    const file = "/tmp/proj+1 (1) @home, a'b;c=d ä/alembic/versions/x.py";
    const spellings = [
      fileUri(file),
      "file:///tmp/proj+1%20(1)%20@home,%20a'b;c=d%20%c3%a4/alembic/versions/x.py",
      "file:///tmp/proj+1%20(1)%20@home,%20a'b;c=d%20%C3%A4/alembic/versions/x.py",
    ];
    for (const uri of spellings) assert.equal(uriToPath(uri), file, uri);
  });

  it('gives the same path for a Windows drive written C: and c%3A', () => {
    assert.equal(uriToPath('file:///C:/work/app/x.py'), uriToPath('file:///c%3A/work/app/x.py'));
  });

  it('gives no path for a URI that is not a file', () => {
    assert.equal(uriToPath('untitled:Untitled-1'), undefined);
  });
});
