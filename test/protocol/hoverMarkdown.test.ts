// A hostile migration (a revision id with backticks and a link, a message with HTML and Markdown) gets a
// hover whose Markdown renders as text: no HTML element, no link, no image, and the id whole in one code span.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import MarkdownIt from 'markdown-it';
import { DidOpenTextDocumentNotification, HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { startTestServer, type TestServer, uriOf } from './lspClient';

const HOSTILE_ID = 'ab`](javascript:alert(1))`';
const HOSTILE_MESSAGE = '<script>alert(1)</script> `x` [click](javascript:alert(2)) ![i](http://example.invalid/i.png)';

describe('hover Markdown of hostile revisions (protocol)', function () {
  this.timeout(30_000);
  let root = '';
  let server: TestServer;
  let child = '';

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-hostile-md-'));
    const versions = path.join(root, 'migrations', 'versions');
    fs.mkdirSync(versions, { recursive: true });
    fs.writeFileSync(path.join(root, 'alembic.ini'), '[alembic]\nscript_location = %(here)s/migrations\n');
    fs.writeFileSync(path.join(root, 'migrations', 'env.py'), '');
    fs.writeFileSync(path.join(versions, 'a_base.py'),
      `"""${HOSTILE_MESSAGE}\n\nRevision ID: x\n"""\nrevision = ${JSON.stringify(HOSTILE_ID)}\ndown_revision = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`);
    child = path.join(versions, 'b_child.py');
    fs.writeFileSync(child, `"""child\n"""\nrevision = "b0000000000b"\ndown_revision = ${JSON.stringify(HOSTILE_ID)}\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`);
    server = await startTestServer(root);
  });
  after(async () => {
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('renders the parent\'s id and message as text', async () => {
    const text = fs.readFileSync(child, 'utf8');
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uriOf(child), languageId: 'python', version: 1, text } });
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.startsWith('down_revision'));
    const hover = await server.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(child) }, position: { line, character: 'down_revision = "'.length + 1 } });
    const value = (hover?.contents as MarkupContent | undefined)?.value ?? assert.fail('no hover');
    const html = new MarkdownIt({ html: true }).render(value);
    assert.doesNotMatch(html, /<(script|a|img)\b/i, html);
    const codes = [...html.matchAll(/<code>([^<]*)<\/code>/g)].map((m) => (m[1] ?? '').replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
    assert.ok(codes.includes(HOSTILE_ID), `the id whole in one code span: ${JSON.stringify(codes)}`);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });
});
