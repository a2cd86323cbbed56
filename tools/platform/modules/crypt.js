// "crypt" (Digest only), after modules/crypt/digest/crypt.js and modCrypt.c of Moddable SDK 8.2.3.
// write() takes a string (the bytes XS stores for it: UTF-8, "\0" as C0 80) or a buffer;
// close() returns the digest as an ArrayBuffer, and close(true) keeps the state so that writing
// can go on. After a plain close() the board keeps hashing into a finished context and returns a
// wrong digest; here write() after close() throws instead, so the mistake shows.
import { createHash } from "node:crypto";
import { bufferBytes } from "../runtime/buffers.js";
import { freezeClass } from "../runtime/freeze.js";
import { HostData } from "../runtime/host-data.js";
import { xsStringBytes } from "../runtime/xs-globals.js";

const DIGESTS = Object.freeze({
  MD5: { node: "md5", blockSize: 64, outputSize: 16 },
  SHA1: { node: "sha1", blockSize: 64, outputSize: 20 },
  SHA224: { node: "sha224", blockSize: 64, outputSize: 28 },
  SHA256: { node: "sha256", blockSize: 64, outputSize: 32 },
  SHA384: { node: "sha384", blockSize: 128, outputSize: 48 },
  SHA512: { node: "sha512", blockSize: 128, outputSize: 64 },
});

const digests = new HostData();

export class Digest {
  constructor(type) {
    const digest = DIGESTS[String(type)];
    if (!digest || !Object.hasOwn(DIGESTS, String(type))) {
      throw new Error("crypt: unsupported digest");
    }
    digests.set(this, { digest, hash: createHash(digest.node), closed: false });
  }

  write(data) {
    const record = digests.get(this);
    if (record.closed) throw new Error("crypt: can't call digest write after close");
    const bytes = typeof data === "string" ? xsStringBytes(data) : bufferBytes(data);
    record.hash.update(bytes);
  }

  close(more) {
    const record = digests.get(this);
    if (record.closed) throw new Error("crypt: can't call digest close after close");
    const source = more ? record.hash.copy() : record.hash;
    if (!more) record.closed = true;
    const out = source.digest();
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
  }

  reset() {
    const record = digests.get(this);
    record.hash = createHash(record.digest.node);
    record.closed = false;
  }

  get blockSize() {
    return digests.get(this).digest.blockSize;
  }

  get outputSize() {
    return digests.get(this).digest.outputSize;
  }

  process(...items) {
    this.reset();
    for (const item of items) this.write(item);
    return this.close();
  }

  update(data) {
    this.write(data);
  }
}

freezeClass(Digest);

export default Object.freeze({ Digest });
