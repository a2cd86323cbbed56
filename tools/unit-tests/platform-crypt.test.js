// crypt's Digest, in each engine, against known digests and the values XS 8.2.3 returned.
import { expect } from "chai";
import { forEachEngine, runCheck } from "./platform-support.js";

describe("platform: crypt Digest", function () {
  this.timeout(15_000);
  forEachEngine((engine) => {
    it("hashes strings (as XS stores them), buffers and views; close(true) keeps the state; rejects what XS rejects", async () => {
      expect(new Map(await runCheck("crypt", engine))).to.deep.equal(
        new Map([
          ["SHA1 abc is an ArrayBuffer", true],
          ["SHA1 abc", "a9993e364706816aba3e25717850c26c9cd0d89d"],
          ["SHA1 of a view", "a9993e364706816aba3e25717850c26c9cd0d89d"],
          ["SHA1 a 00 b", "cae03f634ce9eb7cd6e9e80cbed2bc4d1ce30fee"],
          ["SHA256 abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
          ["close(true) after ab", "da23614e02469a0d7c7bd1bdab5c9c474b1904dc"],
          ["then c", "a9993e364706816aba3e25717850c26c9cd0d89d"],
          [
            "sizes",
            [
              "MD5:64/16",
              "SHA1:64/20",
              "SHA224:64/28",
              "SHA256:64/32",
              "SHA384:128/48",
              "SHA512:128/64",
            ],
          ],
          ["SHA3", { throws: "Error: crypt: unsupported digest" }],
          ["toString", { throws: "Error: crypt: unsupported digest" }],
          ["write(5)", { throws: "TypeError: invalid buffer" }],
        ]),
      );
    });
  });
});
