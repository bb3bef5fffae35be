// Workspace text in hovers and tooltips stays text: rendered by a CommonMark renderer (markdown-it, the
// family of what the editor uses), an escaped message makes no HTML, link or image, and a code span holds
// exactly the id, whatever backticks it contains.
import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { markdownCode, markdownText } from '../../common/markdown';

const md = new MarkdownIt({ html: true, linkify: false });
const render = (s: string): string => md.renderInline(s);
const decode = (html: string): string =>
  html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

const HOSTILE = [
  '<script>alert(1)</script>',
  'see [the docs](javascript:alert(1)) and ![x](http://example.invalid/x.png)',
  'a `code` span and ``two`` and a trailing `',
  '`',
  '```',
  ' leading and trailing ',
  '](http://example.invalid)',
  '# not a heading\n- not a list\n> not a quote',
  '**bold** _em_ ~~strike~~ <b>html</b> &amp; &lt;',
  'ab`](javascript:x)',
  '1. not an ordered list',
  '+ not a list either',
  '  - nor this',
];

describe('common/markdown: workspace text stays text in rendered Markdown', () => {
  for (const text of HOSTILE) {
    it(`markdownText keeps ${JSON.stringify(text)} literal`, () => {
      const html = render(markdownText(text));
      assert.doesNotMatch(html, /<(?!\/?p>)[a-z]/i, `no markup: ${html}`);
      assert.equal(decode(html), text.replace(/\r\n?|\n/g, ' '));
    });

    it(`markdownCode makes one code span of exactly ${JSON.stringify(text)}`, () => {
      const html = render(`Revision ${markdownCode(text)} here`);
      const m = /^Revision <code>([\s\S]*)<\/code> here$/.exec(html);
      assert.ok(m, `one code span: ${html}`);
      assert.equal(decode(m[1] ?? ''), text.replace(/\r\n?|\n/g, ' '));
    });
  }

  it('leaves punctuation that makes no markup as written, so the Markdown source reads as the text', () => {
    assert.equal(markdownText("default changed from none to 'anon'::character varying"), "default changed from none to 'anon'::character varying");
    assert.equal(markdownText('users.nickname (a column) = "x" + 1 - 2!'), 'users.nickname (a column) = "x" + 1 - 2!');
  });
});
