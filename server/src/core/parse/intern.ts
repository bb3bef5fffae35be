// One string per distinct name across files: callees (`op.create_table`, `sa.Column`), keyword names
// (`nullable`), variable names. Every migration repeats the same few hundred; a fresh string per use
// was some thirty objects per file, kept for as long as the file is indexed. The table is read
// without making a string first (hash over the source characters), and stops growing when full.

const SLOTS = 1 << 14;
/** Half the slots at most: probing stays short, and hostile input cannot grow memory without bound. */
const MAX_ENTRIES = SLOTS >> 1;
const MAX_LENGTH = 64;
const table: (string | undefined)[] = new Array<string | undefined>(SLOTS);
let entries = 0;

/** `text.slice(s, e)`, shared with earlier equal slices when the name is short enough to be kept. */
export function internSlice(text: string, s: number, e: number): string {
  const len = e - s;
  if (len <= 0 || len > MAX_LENGTH) return text.slice(s, e);
  let h = len | 0;
  for (let p = s; p < e; p++) h = Math.imul(h ^ text.charCodeAt(p), 0x01000193);
  let i = (h ^ (h >>> 15)) & (SLOTS - 1);
  for (;;) {
    const v = table[i];
    if (v === undefined) {
      const str = text.slice(s, e);
      if (entries < MAX_ENTRIES) {
        table[i] = str;
        entries++;
      }
      return str;
    }
    if (v.length === len && text.startsWith(v, s)) return v;
    i = (i + 1) & (SLOTS - 1);
  }
}

/** internSlice hashing the text's code units (TokenStream.units) instead of calling charCodeAt. */
export function internUnits(units: Uint16Array, text: string, s: number, e: number): string {
  const len = e - s;
  if (len <= 0 || len > MAX_LENGTH) return text.slice(s, e);
  let h = len | 0;
  for (let p = s; p < e; p++) h = Math.imul(h ^ (units[p] ?? 0), 0x01000193);
  let i = (h ^ (h >>> 15)) & (SLOTS - 1);
  for (;;) {
    const v = table[i];
    if (v === undefined) {
      const str = text.slice(s, e);
      if (entries < MAX_ENTRIES) {
        table[i] = str;
        entries++;
      }
      return str;
    }
    if (v.length === len && text.startsWith(v, s)) return v;
    i = (i + 1) & (SLOTS - 1);
  }
}
