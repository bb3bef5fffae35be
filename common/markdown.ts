// Text from workspace files (revision ids, messages, labels, paths) put into Markdown that the editor
// renders (hovers, tree tooltips). A migration file is workspace content, so none of it may turn into
// markup: no links, images, HTML, headings or a code span that ends early.

/** Any text as literal Markdown inline text: every punctuation Markdown reads is escaped, line breaks fold. */
export function markdownText(s: string): string {
  return s.replace(/\r\n?|\n/g, ' ').replace(/[\\`*_{}[\]()#+\-.!|<>~&=:"']/g, (c) => `\\${c}`);
}

/**
 * Any text as one inline code span: fenced by more backticks than the longest run inside it (CommonMark),
 * with a space inside the fence where the text starts or ends with a backtick or a space.
 */
export function markdownCode(s: string): string {
  const flat = s.replace(/\r\n?|\n/g, ' ');
  let longest = 0;
  for (const run of flat.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(flat) ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}
