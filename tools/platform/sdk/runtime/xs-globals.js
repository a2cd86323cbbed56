// Globals that the Moddable SDK's XS has and neither Node nor xsnap's XS has: trace,
// String.fromArrayBuffer, ArrayBuffer.fromString and ArrayBuffer.prototype.concat, after
// xs/sources/xsString.c and xsDataView.c of SDK 8.2.3. On the board these are C: the common case
// (well-formed UTF-8, a string without lone surrogates) goes through the engine's own native
// TextDecoder/TextEncoder, so that it costs the engine one native call here too; the rest is
// decoded or encoded byte by byte with XS's rules.
import { host } from "../host.js";

// Captured when this module loads: the Node engine removes these globals from the firmware's view.
const nativeDecoder =
  typeof TextDecoder === "function"
    ? new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
    : null;
const nativeEncoder = typeof TextEncoder === "function" ? new TextEncoder() : null;

/** XS trace: each argument converted to a string, no newline added. */
export function trace(...args) {
  let text = "";
  for (const arg of args) text += String(arg);
  host.stdout(text);
}

function byteLengthArgument(args, index, fallback) {
  if (args.length <= index || args[index] === undefined) return fallback;
  const value = Math.trunc(Number(args[index]));
  if (Number.isNaN(value)) return 0;
  if (value < 0) throw new RangeError("byteLength < 0");
  if (value > 0x7fffffff) throw new RangeError("byteLength too big");
  return value;
}

/**
 * String.fromArrayBuffer(buffer [, byteOffset [, byteLength]]). XS checks only the shape of UTF-8
 * (a lead byte and its continuation bytes) and throws TypeError "invalid UTF-8" otherwise; it does
 * not reject overlong forms, encoded surrogates or values above U+10FFFF, which decode
 * arithmetically (C0 80 is "\0", ED A0 80 is a lone "\uD800"). Lead bytes F8–FF are treated as
 * four-byte sequences by the check; here they decode with their low three bits, as F0–F7 do.
 */
export function fromArrayBuffer(...args) {
  if (args.length < 1) throw new TypeError("no argument");
  const buffer = args[0];
  if (!(buffer instanceof ArrayBuffer) && !(buffer instanceof SharedArrayBuffer)) {
    throw new TypeError("argument: not an ArrayBuffer instance");
  }
  const limit = buffer.byteLength;
  const offset = byteLengthArgument(args, 1, 0);
  if (limit < offset) throw new RangeError(`invalid byteOffset ${offset}`);
  const length = byteLengthArgument(args, 2, limit - offset);
  if (limit < offset + length) throw new RangeError(`invalid byteLength ${length}`);
  const bytes = new Uint8Array(buffer, offset, length);
  if (nativeDecoder) {
    try {
      return nativeDecoder.decode(bytes); // well-formed: what XS decodes too
    } catch {
      // XS's own rules below: overlong forms and surrogates decode, a broken shape throws
    }
  }
  let text = "";
  let chunk = [];
  for (let i = 0; i < bytes.length;) {
    const first = bytes[i];
    let size;
    let code;
    if (first < 0x80) {
      size = 1;
      code = first;
    } else if ((first & 0xe0) === 0xc0) {
      size = 2;
      code = first & 0x1f;
    } else if ((first & 0xf0) === 0xe0) {
      size = 3;
      code = first & 0x0f;
    } else if ((first & 0xf0) === 0xf0) {
      size = 4;
      code = first & 0x07;
    } else {
      throw new TypeError("invalid UTF-8");
    }
    if (i + size > bytes.length) throw new TypeError("invalid UTF-8");
    for (let k = 1; k < size; k++) {
      const next = bytes[i + k];
      if ((next & 0xc0) !== 0x80) throw new TypeError("invalid UTF-8");
      code = (code << 6) | (next & 0x3f);
    }
    if (code > 0xffff) {
      code -= 0x10000;
      chunk.push(0xd800 + ((code >> 10) & 0x3ff), 0xdc00 + (code & 0x3ff));
    } else {
      chunk.push(code);
    }
    if (chunk.length > 8192) {
      text += String.fromCharCode(...chunk);
      chunk = [];
    }
    i += size;
  }
  return text + String.fromCharCode(...chunk);
}

/**
 * The bytes of a string as XS stores it: UTF-8, with a lone surrogate in its three-byte form
 * (ED A0 80) instead of U+FFFD, and "\0" as C0 80 (XS's C strings cannot hold a zero byte).
 * @returns {Uint8Array}
 */
export function xsStringBytes(text) {
  const out = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (code === 0) out.push(0xc0, 0x80);
    else if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) {
      out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    } else {
      out.push(
        0xf0 | (code >> 18),
        0x80 | ((code >> 12) & 0x3f),
        0x80 | ((code >> 6) & 0x3f),
        0x80 | (code & 0x3f),
      );
    }
  }
  return Uint8Array.from(out);
}

/**
 * ArrayBuffer.fromString(string): the bytes XS stores for String(string), except that the
 * two-byte form of "\0" becomes a single zero byte again.
 */
export function fromString(...args) {
  if (args.length < 1) throw new TypeError("no argument");
  const text = String(args[0]);
  if (nativeEncoder) {
    // Exact unless the string held a lone surrogate, which the encoder makes U+FFFD (EF BF BD)
    // where XS keeps its three-byte form: without an EF byte there was none.
    const encoded = nativeEncoder.encode(text);
    if (encoded.indexOf(0xef) < 0) {
      return encoded.byteLength === encoded.buffer.byteLength
        ? encoded.buffer
        : encoded.buffer.slice(encoded.byteOffset, encoded.byteOffset + encoded.byteLength);
    }
  }
  const stored = xsStringBytes(text);
  const out = new Uint8Array(stored.length);
  let length = 0;
  for (let i = 0; i < stored.length; i++) {
    if (stored[i] === 0xc0 && stored[i + 1] === 0x80) {
      out[length++] = 0;
      i++;
    } else {
      out[length++] = stored[i];
    }
  }
  return out.buffer.slice(0, length);
}

/** ArrayBuffer.prototype.concat(...buffers): this buffer then each argument (ArrayBuffers only). */
export function concat(...buffers) {
  if (!(this instanceof ArrayBuffer)) throw new TypeError("this: not an ArrayBuffer instance");
  let length = this.byteLength;
  buffers.forEach((buffer, i) => {
    if (!(buffer instanceof ArrayBuffer) && !(buffer instanceof SharedArrayBuffer)) {
      throw new TypeError(`arguments[${i}]: not an ArrayBuffer instance`);
    }
    length += buffer.byteLength;
  });
  const result = new Uint8Array(length);
  result.set(new Uint8Array(this), 0);
  let offset = this.byteLength;
  for (const buffer of buffers) {
    result.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return result.buffer;
}

function define(target, name, value) {
  if (!Object.hasOwn(target, name)) {
    Object.defineProperty(target, name, { value, writable: true, configurable: true });
  }
}

/**
 * Installs trace (in place of xsnap's own, which prints nowhere) and the XS built-ins that the
 * engine lacks (before the intrinsics are frozen).
 */
export function installXsGlobals(global = host.firmwareGlobal) {
  Object.defineProperty(global, "trace", { value: trace, writable: true, configurable: true });
  define(String, "fromArrayBuffer", { fromArrayBuffer }.fromArrayBuffer);
  define(ArrayBuffer, "fromString", { fromString }.fromString);
  define(ArrayBuffer.prototype, "concat", concat);
}
