// A text's UTF-16 code units in a typed array, for the tokenizer's body skip: in its loop a typed
// array read costs half of String.prototype.charCodeAt, which checks the string's representation
// again at every call. Buffer copies all units in one native call.
import { Buffer } from 'node:buffer';

let bytes = Buffer.allocUnsafeSlow(64 * 1024);
let units = new Uint16Array(bytes.buffer, 0, bytes.length >> 1);

/**
 * The units of `text`, followed by three zeros (so that looking a few units past the end reads 0, which
 * is no character the skip acts on). Shared: valid until the next call.
 */
export function codeUnits(text: string): Uint16Array {
  const need = (text.length + 3) * 2;
  if (need > bytes.length) {
    bytes = Buffer.allocUnsafeSlow(Math.max(need, bytes.length * 2));
    units = new Uint16Array(bytes.buffer, 0, bytes.length >> 1);
  }
  bytes.write(text, 0, 'utf16le');
  units[text.length] = 0;
  units[text.length + 1] = 0;
  units[text.length + 2] = 0;
  return units;
}
