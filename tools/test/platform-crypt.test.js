// crypt's Digest, against known digests and the values XS 8.2.3 returned.
import { expect } from "chai";
import { installNodeHost } from "../platform/engines/node/boot.js";
import { Digest } from "../platform/engine/modules/crypt.js";

installNodeHost();

const hex = (buffer) => Buffer.from(buffer).toString("hex");

describe("platform: crypt Digest", () => {
  it('SHA1("abc") is a9993e36…', () => {
    const sha1 = new Digest("SHA1");
    sha1.write("abc");
    const result = sha1.close();
    expect(result).to.be.an.instanceOf(ArrayBuffer);
    expect(hex(result)).to.equal("a9993e364706816aba3e25717850c26c9cd0d89d");
  });

  it("hashes buffers and views, and strings as XS stores them", () => {
    const view = new Uint8Array([0, 0x61, 0x62, 0x63, 0]).subarray(1, 4);
    expect(hex(new Digest("SHA1").process(view))).to.equal(
      "a9993e364706816aba3e25717850c26c9cd0d89d",
    );
    expect(hex(new Digest("SHA1").process("a\0b"))).to.equal(
      "cae03f634ce9eb7cd6e9e80cbed2bc4d1ce30fee",
    );
    expect(hex(new Digest("SHA256").process("abc"))).to.equal(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("close(true) keeps the state; update is write; sizes per algorithm", () => {
    const digest = new Digest("SHA1");
    digest.update("ab");
    expect(hex(digest.close(true))).to.equal("da23614e02469a0d7c7bd1bdab5c9c474b1904dc");
    digest.write("c");
    expect(hex(digest.close())).to.equal("a9993e364706816aba3e25717850c26c9cd0d89d");
    const sizes = ["MD5", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512"].map((type) => {
      const d = new Digest(type);
      return `${type}:${d.blockSize}/${d.outputSize}`;
    });
    expect(sizes).to.deep.equal([
      "MD5:64/16",
      "SHA1:64/20",
      "SHA224:64/28",
      "SHA256:64/32",
      "SHA384:128/48",
      "SHA512:128/64",
    ]);
  });

  it("rejects unknown digests and non-buffers like XS", () => {
    expect(() => new Digest("SHA3")).to.throw(Error, "crypt: unsupported digest");
    expect(() => new Digest("toString")).to.throw(Error, "crypt: unsupported digest");
    expect(() => new Digest("SHA1").write(5)).to.throw(TypeError, "invalid buffer");
  });
});
