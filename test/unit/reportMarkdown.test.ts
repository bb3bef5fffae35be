// The verification report is Markdown the editor previews; revision ids, messages, scratch database
// names and commands come from the workspace, so they stay text there: no HTML, link or image, and every
// id whole in its code span (the report used its own escape, which a `` run broke).
import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { renderMarkdownReport } from '../../runtime/verify/report';
import type { VerifyReport } from '../../runtime/verify/verifyProject';

const HOSTILE_ID = 'ab``](javascript:alert(1))';
const HOSTILE_MESSAGE = '<img src=x onerror=alert(1)> [click](javascript:alert(2)) ``code``';

describe('verify report: workspace text stays text in its Markdown', () => {
  it('renders hostile ids and messages without markup', async () => {
    const report: VerifyReport = {
      projectRoot: '/work/app', iniPath: '/work/app/alembic.ini', startedAt: '2026-12-01T00:00:00Z', durationMs: 1200,
      ok: false, cancelled: false,
      scratch: { name: 'scratch_`x`_db', location: 'server', endpoint: '127.0.0.1:5432', serverVersion: '15', dropped: true },
      revisions: [{
        revision: HOSTILE_ID, parents: [], message: HOSTILE_MESSAGE, status: 'failed', summary: 'the downgrade failed',
        downgradeDiff: [], reupgradeDiff: [], durationMs: 1000,
      }],
    };
    const html = new MarkdownIt({ html: true }).render(await renderMarkdownReport(report));
    assert.doesNotMatch(html, /<(img|a|script)\b/i, html);
    const codes = [...html.matchAll(/<code>([^<]*)<\/code>/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));
    assert.ok(codes.includes(HOSTILE_ID), `the id whole in a code span: ${JSON.stringify(codes)}`);
    assert.ok(codes.includes('scratch_`x`_db'), `the scratch name whole: ${JSON.stringify(codes)}`);
  });
});
