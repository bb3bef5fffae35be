// A SQLite database in WAL mode keeps its latest commits in `<file>-wal` until a checkpoint copies them
// into the main file, so the main file's bytes alone can be behind (an upgrade that just committed would
// not show). The read here never writes either file: it replays the WAL's committed frames onto a copy of
// the main file's bytes in memory, as a reader connection would see them, following the WAL format
// (https://www.sqlite.org/fileformat2.html#walformat): a 32-byte header, then frames of a 24-byte header
// and one page; a frame counts only when its salts match the header's and its cumulative checksum is
// right, and the pages of a transaction only once its commit frame (non-zero database size) is reached.

const WAL_HEADER = 32;
const FRAME_HEADER = 24;
const MAGIC_LE = 0x377f0682;
const MAGIC_BE = 0x377f0683;

export interface WalReplay {
  /** The database as a reader sees it: the main file with the committed WAL pages applied. */
  bytes: Uint8Array;
  /** Committed frames applied (0: the WAL held nothing newer than the main file). */
  frames: number;
  /** Why the WAL was not used (bad header, page size mismatch), when it was not. */
  ignored?: string;
}

/** The main file's page size from its header (offset 16; 1 means 65536). */
export function mainPageSize(main: Uint8Array): number | undefined {
  if (main.length < 100) return undefined;
  const v = (main[16]! << 8) | main[17]!;
  return v === 1 ? 65536 : v >= 512 ? v : undefined;
}

/** Whether the header says WAL mode (file format read/write versions 2). */
export function isWalMode(main: Uint8Array): boolean {
  return main.length >= 100 && main[18] === 2 && main[19] === 2;
}

export function replayWal(main: Uint8Array, wal: Uint8Array): WalReplay {
  const keep = (ignored?: string): WalReplay => ({ bytes: asRollbackJournal(main), frames: 0, ...(ignored ? { ignored } : {}) });
  if (wal.length < WAL_HEADER) return keep();
  const view = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== MAGIC_LE && magic !== MAGIC_BE) return keep('the -wal file has no WAL header');
  const bigEndian = magic === MAGIC_BE;
  const pageSize = view.getUint32(8, false);
  const mainSize = mainPageSize(main);
  if (mainSize !== undefined && pageSize !== mainSize) return keep(`the -wal file's page size ${pageSize} differs from the database's ${mainSize}`);
  const salt1 = view.getUint32(16, false);
  const salt2 = view.getUint32(20, false);
  let [s0, s1] = checksum(wal, 0, 24, bigEndian, 0, 0);
  if (s0 !== view.getUint32(24, false) || s1 !== view.getUint32(28, false)) return keep('the -wal file header checksum is wrong');

  const committed = new Map<number, number>(); // page number → offset of its page data in the WAL
  const pending = new Map<number, number>();
  let dbPages = Math.ceil(main.length / pageSize);
  let frames = 0;
  let pendingFrames = 0;
  for (let off = WAL_HEADER; off + FRAME_HEADER + pageSize <= wal.length; off += FRAME_HEADER + pageSize) {
    if (view.getUint32(off + 8, false) !== salt1 || view.getUint32(off + 12, false) !== salt2) break;
    [s0, s1] = checksum(wal, off, 8, bigEndian, s0, s1);
    [s0, s1] = checksum(wal, off + FRAME_HEADER, pageSize, bigEndian, s0, s1);
    if (s0 !== view.getUint32(off + 16, false) || s1 !== view.getUint32(off + 20, false)) break;
    const page = view.getUint32(off, false);
    pending.set(page, off + FRAME_HEADER);
    pendingFrames++;
    const commitSize = view.getUint32(off + 4, false);
    if (commitSize !== 0) {
      for (const [p, at] of pending) committed.set(p, at);
      pending.clear();
      frames += pendingFrames;
      pendingFrames = 0;
      dbPages = commitSize;
    }
  }
  if (frames === 0) return keep();

  const out = new Uint8Array(dbPages * pageSize);
  out.set(main.subarray(0, Math.min(main.length, out.length)));
  for (const [page, at] of committed) {
    if (page < 1 || page > dbPages) continue;
    out.set(wal.subarray(at, at + pageSize), (page - 1) * pageSize);
  }
  return { bytes: asRollbackJournal(out), frames };
}

/**
 * The same bytes with the header saying "rollback journal" (versions 1): opened from memory there is no
 * `-wal` file and no shared memory, and a WAL-mode header would make SQLite look for them.
 */
function asRollbackJournal(bytes: Uint8Array): Uint8Array {
  if (!isWalMode(bytes)) return bytes;
  const copy = bytes.slice();
  copy[18] = 1;
  copy[19] = 1;
  return copy;
}

/** SQLite's WAL checksum over `length` bytes (a multiple of 8) at `start`, continuing from (s0, s1). */
function checksum(data: Uint8Array, start: number, length: number, bigEndian: boolean, s0: number, s1: number): [number, number] {
  const view = new DataView(data.buffer, data.byteOffset + start, length);
  let a = s0 >>> 0;
  let b = s1 >>> 0;
  for (let i = 0; i < length; i += 8) {
    a = (a + view.getUint32(i, !bigEndian) + b) >>> 0;
    b = (b + view.getUint32(i + 4, !bigEndian) + a) >>> 0;
  }
  return [a, b];
}
