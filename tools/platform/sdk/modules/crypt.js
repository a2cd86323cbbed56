// "crypt" (Digest only), after modules/crypt/digest/crypt.js and modCrypt.c of Moddable SDK 8.2.3.
// write() takes a string (the bytes XS stores for it: UTF-8, "\0" as C0 80) or a buffer;
// close() returns the digest as an ArrayBuffer, and close(true) keeps the state so that writing
// can go on. After a plain close() the board keeps hashing into a finished context and returns a
// wrong digest; here write() after close() throws instead, so the mistake shows. The hashing itself
// is the host's, as it is the chip's hash engine or mbedTLS on the board.
import { host } from "../host.js";
import { bufferBytes } from "../runtime/buffers.js";
import { freezeClass } from "../runtime/freeze.js";
import { HostData } from "../runtime/host-data.js";
import { xsStringBytes } from "../runtime/xs-globals.js";

const DIGESTS = Object.freeze({
  MD5: { algorithm: "md5", blockSize: 64, outputSize: 16 },
  SHA1: { algorithm: "sha1", blockSize: 64, outputSize: 20 },
  SHA224: { algorithm: "sha224", blockSize: 64, outputSize: 28 },
  SHA256: { algorithm: "sha256", blockSize: 64, outputSize: 32 },
  SHA384: { algorithm: "sha384", blockSize: 128, outputSize: 48 },
  SHA512: { algorithm: "sha512", blockSize: 128, outputSize: 64 },
});

const digests = new HostData();

export class Digest {
  constructor(type) {
    const digest = DIGESTS[String(type)];
    if (!digest || !Object.hasOwn(DIGESTS, String(type))) {
      throw new Error("crypt: unsupported digest");
    }
    digests.set(this, { digest, hash: host.createHash(digest.algorithm), closed: false });
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
    if (!more) record.closed = true;
    return record.hash.digest(Boolean(more));
  }

  reset() {
    const record = digests.get(this);
    record.hash = host.createHash(record.digest.algorithm);
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
