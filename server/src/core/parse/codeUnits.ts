// A text's UTF-16 code units in a typed array, which the tokenizer's scans read: a typed array read
// costs half of String.prototype.charCodeAt, which checks the string's representation again at every
// call. Buffer copies all units in one native call.
//
// The units live in the memory of the WebAssembly body scanner (server/wasm/skipBody.ts, which
// esbuild.mjs compiles and embeds as __SKIP_BODY_WASM__), so that the scanner reads them where they
// are. Without it (the module run without esbuild's build) they live in a plain buffer and only the
// JavaScript skip runs.
import { Buffer } from 'node:buffer';

declare const __SKIP_BODY_WASM__: string | undefined;

/** What this module uses of the WebAssembly API (the TypeScript project has no DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
interface Scanner {
  memory: WasmMemory;
  skipBody: (p0: number, n: number) => number;
  /** Byte offsets in memory: the units; the body's first indented offset, then the comment count; the comments. */
  units: number;
  result: number;
  comments: number;
}

const PAGE = 65536;

/**
 * The scanner, or undefined where it cannot run: not built in, or WebAssembly unavailable (node
 * --jitless). Parsing is then as right and slower; the tests check that the build carries it.
 */
function loadScanner(): Scanner | undefined {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (typeof __SKIP_BODY_WASM__ !== 'string' || !api) return undefined;
  try {
    const { exports } = new api.Instance(new api.Module(Buffer.from(__SKIP_BODY_WASM__, 'base64')), {});
    const address = (name: string): number | undefined => {
      const value = (exports[name] as { value?: unknown } | undefined)?.value;
      return typeof value === 'number' ? value : undefined;
    };
    const units = address('UNITS'), result = address('RESULT'), comments = address('COMMENTS');
    if (typeof exports.skipBody !== 'function' || !exports.memory || units === undefined || result === undefined || comments === undefined) return undefined;
    return { memory: exports.memory as WasmMemory, skipBody: exports.skipBody as Scanner['skipBody'], units, result, comments };
  } catch {
    return undefined;
  }
}

const scanner = loadScanner();
let bytes = Buffer.alloc(0);
let units = new Uint16Array(0);
let ints = new Int32Array(0);

function allocate(byteLength: number): void {
  if (scanner) {
    const need = scanner.units + byteLength - scanner.memory.buffer.byteLength;
    if (need > 0) scanner.memory.grow(Math.ceil(need / PAGE));
    const buffer = scanner.memory.buffer;
    bytes = Buffer.from(buffer, scanner.units, buffer.byteLength - scanner.units);
    ints = new Int32Array(buffer, 0, scanner.units >> 2);
  } else {
    bytes = Buffer.allocUnsafeSlow(byteLength);
  }
  units = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
}

allocate(64 * 1024);

/** Whether the WebAssembly scanner runs (else skipBodyFast always gives up). */
export const hasFastSkip = scanner !== undefined;

/**
 * The units of `text`, followed by three zeros (so that looking a few units past the end reads 0, which
 * is no character the skip acts on). Shared: valid until the next call.
 */
export function codeUnits(text: string): Uint16Array {
  const need = (text.length + 3) * 2;
  if (need > bytes.length) allocate(Math.max(need, bytes.length * 2));
  bytes.write(text, 0, 'utf16le');
  units[text.length] = 0;
  units[text.length + 1] = 0;
  units[text.length + 2] = 0;
  return units;
}

/**
 * The WebAssembly body skip over the units codeUnits last wrote (a text of `n` units), from `p0`:
 * where the body ends, with its comments' offsets appended to `comments` and its first indented
 * offset in `result.first`; or -1 when it leaves the decision to the tokenizer's own skip.
 */
export function skipBodyFast(p0: number, n: number, comments: number[], result: { first: number }): number {
  if (!scanner) return -1;
  const end = scanner.skipBody(p0, n);
  if (end < 0) return -1;
  result.first = ints[scanner.result >> 2] ?? 0;
  const count = ints[(scanner.result >> 2) + 1] ?? 0;
  const at = scanner.comments >> 2;
  for (let k = 0; k < 2 * count; k++) comments.push(ints[at + k] ?? 0);
  return end;
}
