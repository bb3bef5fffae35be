// One string per distinct name across files: callees (`op.create_table`, `sa.Column`), keyword names
// (`nullable`), variable names. Every migration repeats the same few hundred; a fresh string per use
// was some thirty objects per file, kept for as long as the file is indexed. The table is read
// without making a string first (hash over the source's code units), and stops growing when full.

const SLOTS = 1 << 14;
/** Half the slots at most: probing stays short, and hostile input cannot grow memory without bound. */
const MAX_ENTRIES = SLOTS >> 1;
const MAX_LENGTH = 64;
/**
 * Open addressing: each entry's hash and its code units in one pool beside the string, so that a
 * lookup compares integers in typed arrays and calls no string method (charCodeAt and startsWith
 * on a slice of a larger string unwrap it at every call).
 */
const unitHashes = new Int32Array(SLOTS);
const unitStarts = new Int32Array(SLOTS);
const unitStrings: (string | undefined)[] = new Array<string | undefined>(SLOTS);
let unitPool = new Uint16Array(4096);
let unitPoolUsed = 0;
let unitEntries = 0;

/** `text.slice(s, e)`, shared with earlier equal slices when short enough to be kept; `units` are the text's code units (TokenStream.units). */
export function internUnits(units: Uint16Array, text: string, s: number, e: number): string {
  const len = e - s;
  if (len <= 0 || len > MAX_LENGTH) return text.slice(s, e);
  let h = len | 0;
  for (let p = s; p < e; p++) h = Math.imul(h ^ (units[p] ?? 0), 0x01000193);
  let i = (h ^ (h >>> 15)) & (SLOTS - 1);
  for (;;) {
    const v = unitStrings[i];
    if (v === undefined) break;
    if (unitHashes[i] === h && v.length === len) {
      const at = unitStarts[i] ?? 0;
      let k = 0;
      while (k < len && unitPool[at + k] === units[s + k]) k++;
      if (k === len) return v;
    }
    i = (i + 1) & (SLOTS - 1);
  }
  const str = text.slice(s, e);
  if (unitEntries < MAX_ENTRIES) {
    if (unitPoolUsed + len > unitPool.length) {
      const grown = new Uint16Array(unitPool.length * 2);
      grown.set(unitPool);
      unitPool = grown;
    }
    unitPool.set(units.subarray(s, e), unitPoolUsed);
    unitHashes[i] = h;
    unitStarts[i] = unitPoolUsed;
    unitStrings[i] = str;
    unitPoolUsed += len;
    unitEntries++;
  }
  return str;
}
