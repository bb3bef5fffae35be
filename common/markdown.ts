// Text from workspace files (revision ids, messages, labels, paths) put into Markdown that the editor
// renders (hovers, tree tooltips). A migration file is workspace content, so none of it may turn into
// markup: no links, images, HTML, headings or a code span that ends early.

/**
 * Any text as literal Markdown inline text, line breaks folded: what makes markup anywhere is escaped
 * (emphasis, code, links and images through `[`, HTML and autolinks through `<`, entities through `&`,
 * table cells, strikethrough), and what makes a block only at the start (a heading, a list item, a
 * quote) is escaped there. The rest stays as written, so the Markdown source reads as the text does.
 */
export function markdownText(s: string): string {
  const flat = s.replace(/\r\n?|\n/g, ' ').replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`);
  return flat.replace(/^(\s*)(#|\+|-|=|\d+(?=[.)]))/, (_m, space: string, mark: string) =>
    /^\d/.test(mark) ? `${space}${mark}\\` : `${space}\\${mark}`);
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
