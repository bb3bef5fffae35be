// Reading many small files at once (nodeFileSystem.readFiles): indexing reads every migration of a
// project before it parses any. The files come from the workspace, which may be hostile: a pipe or
// a device named like a migration, a file of gigabytes, bytes that are not UTF-8. Each such file is
// reported (FileText.problem) and the others are read as usual.
import { isAscii, isUtf8 } from 'node:buffer';
import { closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync, readSync } from 'node:fs';
import type { FileText } from '../core/project/fs';

/**
 * Bytes read before a batch is decoded. Under the ~1 MB above which Node hands out a string that lives
 * outside V8's heap: slices of such a string are slower to read character by character, which the
 * tokenizer then pays on every file.
 */
const BATCH_BYTES = 900 * 1024;

/**
 * Files larger than this are not read. Real migrations are kilobytes (large data migrations a few
 * hundred); a file of gigabytes would fail the whole index (no string can hold it) or take minutes.
 */
export const MAX_SOURCE_BYTES = 10 * 1024 * 1024;

// O_NONBLOCK: opening a pipe for reading would otherwise wait for a writer forever. It changes nothing
// for regular files, and anything else is refused after fstat. (Windows has neither the flag nor pipes
// that open this way.)
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Every file's text, in order, decoded as Python decodes source files: UTF-8 unless a PEP 263 coding
 * comment says otherwise. Files are read back to back into one buffer, and a batch of ASCII files
 * (nearly every migration) is decoded by one call into one string that each file's text is a slice
 * of. A few large strings instead of thousands of 3 KB ones: 10,000 migrations read ~15% faster and
 * their texts are not copied out of the young generation by the garbage collector.
 */
export function readFilesInOneBuffer(paths: readonly string[]): FileText[] {
  const out: FileText[] = paths.map(() => ({}));
  let buf = Buffer.allocUnsafe(1 << 20);
  let used = 0;
  // The current batch: per file, its index in `paths` and its end in `buf` (each starts where the
  // previous ended).
  const batch: number[] = [];
  const flush = (): void => {
    if (batch.length > 0) decodeBatch(buf, used, batch, out);
    batch.length = 0;
    used = 0;
  };
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i] ?? '';
    const start = used;
    let fd: number | undefined;
    try {
      fd = openSync(p, OPEN_FLAGS);
      const refused = refusal(fstatSync(fd));
      if (refused) {
        out[i] = { problem: refused };
        continue;
      }
      for (;;) {
        if (buf.length - used < 64 * 1024) {
          const bigger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(bigger, 0, 0, used);
          buf = bigger;
        }
        // Never more than one byte past the limit, even for a file that grows while it is read.
        const n = readSync(fd, buf, used, Math.min(buf.length - used, MAX_SOURCE_BYTES + 1 - (used - start)), null);
        if (n === 0) break;
        used += n;
        if (used - start > MAX_SOURCE_BYTES) break;
      }
      if (used - start > MAX_SOURCE_BYTES) {
        used = start;
        out[i] = { problem: tooLarge(undefined) };
        continue;
      }
      batch.push(i, used);
    } catch (e) {
      used = start;
      out[i] = readFailure(p, e);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    if (used >= BATCH_BYTES) flush();
  }
  flush();
  return out;
}

/** One file as UTF-8 (no coding comments: for configuration files), with the same guards. */
export function readTextFile(path: string): FileText {
  let fd: number | undefined;
  try {
    fd = openSync(path, OPEN_FLAGS);
    const refused = refusal(fstatSync(fd));
    if (refused) return { problem: refused };
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(64 * 1024);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      size += n;
      if (size > MAX_SOURCE_BYTES) return { problem: tooLarge(undefined) };
      chunks.push(chunk.subarray(0, n));
    }
    return { text: Buffer.concat(chunks, size).toString('utf8') };
  } catch (e) {
    return readFailure(path, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Why a file that opened is not read, if it is not. */
function refusal(st: { isFile(): boolean; isDirectory(): boolean; size: number }): string | undefined {
  if (st.isDirectory()) return 'is a folder';
  if (!st.isFile()) return 'is not a regular file (a pipe, socket or device): not read';
  return st.size > MAX_SOURCE_BYTES ? tooLarge(st.size) : undefined;
}

/** `size` undefined: the file grew past the limit while it was read. */
function tooLarge(size: number | undefined): string {
  const mb = (n: number): string => `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
  return `${size === undefined ? `grew past ${mb(MAX_SOURCE_BYTES)} while it was read` : `is ${mb(size)}`}; alembic-lint reads files of up to ${mb(MAX_SOURCE_BYTES)}: not checked`;
}

/** What a failed open or read means for the user (the caller puts the path in front). */
function readFailure(path: string, e: unknown): FileText {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    // Gone since it was listed (nothing to report), unless the name is a link to nothing: Alembic
    // lists it and fails on it ("Can't find Python file").
    try {
      if (lstatSync(path).isSymbolicLink()) return { problem: `is a symbolic link to ${readlinkSync(path)}, which does not exist` };
    } catch {
      // gone
    }
    return {};
  }
  if (code === 'EACCES' || code === 'EPERM') return { problem: 'cannot be read: permission denied' };
  if (code === 'ELOOP') return { problem: 'is a symbolic link that leads back to itself' };
  if (code === 'EISDIR') return { problem: 'is a folder' };
  return { problem: `cannot be read (${code ?? (e instanceof Error ? e.message : String(e))})` };
}

/** Decodes the files of `buf[0, used)` (`batch` as readFilesInOneBuffer keeps it) into `out`. */
function decodeBatch(buf: Buffer, used: number, batch: readonly number[], out: FileText[]): void {
  let ascii = batch;
  let asciiEnd = used;
  if (!isAscii(buf.subarray(0, used))) {
    // Files with other bytes are decoded one by one; the ASCII ones are moved together to the front.
    const moved: number[] = [];
    asciiEnd = 0;
    let start = 0;
    for (let k = 0; k < batch.length; k += 2) {
      const end = batch[k + 1] ?? start;
      if (isAscii(buf.subarray(start, end))) {
        buf.copy(buf, asciiEnd, start, end);
        asciiEnd += end - start;
        moved.push(batch[k] ?? 0, asciiEnd);
      } else {
        out[batch[k] ?? 0] = decodePythonSource(buf.subarray(start, end));
      }
      start = end;
    }
    ascii = moved;
  }
  const text = buf.toString('latin1', 0, asciiEnd);
  let start = 0;
  for (let k = 0; k < ascii.length; k += 2) {
    const end = ascii[k + 1] ?? start;
    out[ascii[k] ?? 0] = { text: text.slice(start, end) };
    start = end;
  }
}

// Python's names for ISO-8859-1 (WHATWG's `latin1` label means windows-1252, which differs in 0x80-0x9F).
const LATIN_1 = new Set(['iso-8859-1', 'latin-1', 'iso-latin-1', 'latin1', 'l1', 'iso8859-1', '8859', 'cp819', 'latin']);

/**
 * Bytes of a Python source file (not all ASCII) as Python reads them: the encoding of a PEP 263
 * coding comment in the first two lines, UTF-8 otherwise. Python refuses to import a file that is not
 * valid in that encoding (SyntaxError), so Alembic fails on it: that is a problem, and the text is
 * still given (with U+FFFD) so that its revision stays in the graph.
 */
export function decodePythonSource(bytes: Buffer): FileText {
  const declared = codingComment(bytes);
  if (declared === undefined || declared === 'utf-8' || declared.startsWith('utf-8-') || declared === 'utf8') {
    const text = bytes.toString('utf8');
    if (isUtf8(bytes)) return { text };
    const at = firstInvalidUtf8(bytes);
    return { text, problem: `is not valid UTF-8 (${byteAt(bytes, at)})${declared ? '' : ' and declares no other encoding'}: Python refuses to import it (SyntaxError), and so Alembic fails` };
  }
  if (LATIN_1.has(declared)) return { text: bytes.toString('latin1') };
  if (CP1252.has(declared)) return decodeCp1252(bytes);
  if (declared === 'ascii' || declared === 'us-ascii') {
    const text = bytes.toString('utf8');
    return { text, problem: `declares the encoding ascii but holds other bytes (${byteAt(bytes, bytes.findIndex((b) => b > 127))}): Python refuses to import it (SyntaxError)` };
  }
  try {
    return { text: new TextDecoder(declared, { fatal: true }).decode(bytes) };
  } catch (e) {
    if (e instanceof RangeError) {
      return { text: bytes.toString('utf8'), problem: `declares the encoding '${declared}', which alembic-lint cannot decode: read as UTF-8` };
    }
    return { text: new TextDecoder(declared).decode(bytes), problem: `is not valid ${declared}, the encoding it declares: Python refuses to import it (SyntaxError)` };
  }
}

const CP1252 = new Set(['cp1252', 'windows-1252', '1252']);
// 0x80-0x9F of windows-1252 as Python's cp1252 codec has them (0 where Python has no character). Done
// here because Node 20's TextDecoder reads windows-1252 as ISO-8859-1.
const CP1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

function decodeCp1252(bytes: Buffer): FileText {
  let text = '';
  let bad = -1;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    const c = b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] ?? 0 : b;
    if (c === 0 && b !== 0 && bad < 0) bad = i;
    text += String.fromCharCode(c === 0 && b !== 0 ? 0xfffd : c);
  }
  return bad < 0 ? { text } : { text, problem: `is not valid cp1252, the encoding it declares (${byteAt(bytes, bad)}): Python refuses to import it (SyntaxError)` };
}

/** The encoding named by a PEP 263 comment (`# -*- coding: latin-1 -*-`), normalized as Python does. */
function codingComment(bytes: Buffer): string | undefined {
  const COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;
  const BLANK_OR_COMMENT = /^[ \t\f]*(?:[#\r\n]|$)/;
  const firstEnd = bytes.indexOf(10);
  const first = bytes.toString('latin1', 0, firstEnd < 0 ? bytes.length : firstEnd);
  let m = COOKIE.exec(first);
  if (!m && firstEnd >= 0 && BLANK_OR_COMMENT.test(first)) {
    const secondEnd = bytes.indexOf(10, firstEnd + 1);
    m = COOKIE.exec(bytes.toString('latin1', firstEnd + 1, secondEnd < 0 ? bytes.length : secondEnd));
  }
  // Python's get_normal_name: lower case, `_` as `-`.
  return m?.[1]?.toLowerCase().replace(/_/g, '-');
}

/** Offset of the first byte that does not start (or continue) a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] ?? 0;
    if (c < 0x80) {
      i++;
      continue;
    }
    let more: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) more = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      more = 2;
      if (c === 0xe0) lo = 0xa0; // no overlong forms
      if (c === 0xed) hi = 0x9f; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      more = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f; // nothing above U+10FFFF
    } else return i;
    for (let k = 1; k <= more; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += more + 1;
  }
  return -1;
}

/** `line N, byte 0xNN` for the byte at `offset`. */
function byteAt(bytes: Buffer, offset: number): string {
  let line = 1;
  for (let i = bytes.indexOf(10); i >= 0 && i < offset; i = bytes.indexOf(10, i + 1)) line++;
  return `line ${line}: byte 0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')}`;
}
