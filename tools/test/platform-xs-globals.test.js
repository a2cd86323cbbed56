// XS built-ins the layer adds, against what XS 8.2.3 returned for the same inputs.
import { expect } from "chai";
import { concat, fromArrayBuffer, fromString } from "../platform/engine/runtime/xs-globals.js";

const bytes = (...values) => new Uint8Array(values).buffer;
const hex = (buffer) => Buffer.from(buffer).toString("hex");

describe("platform: XS globals", () => {
  describe("String.fromArrayBuffer", () => {
    it("decodes UTF-8, including the forms XS accepts without checking", () => {
      expect(fromArrayBuffer(bytes(0x68, 0xc3, 0xa9))).to.equal("h\u00e9");
      expect(fromArrayBuffer(bytes(0xf0, 0x9f, 0x98, 0x80))).to.equal("\u{1F600}");
      expect(fromArrayBuffer(bytes(0x61, 0x00, 0x62))).to.equal("a\0b");
      expect(fromArrayBuffer(bytes(0xc0, 0x80))).to.equal("\0");
      expect(fromArrayBuffer(bytes(0xed, 0xb0, 0x80))).to.equal("\udc00");
      expect(fromArrayBuffer(new ArrayBuffer(0))).to.equal("");
    });

    it('throws TypeError "invalid UTF-8" on broken sequences, like XS', () => {
      for (const input of [
        [0x61, 0x80],
        [0x61, 0xff, 0x62],
        [0x61, 0xe2, 0x82],
        [0xc3, 0x28],
      ]) {
        expect(() => fromArrayBuffer(bytes(...input)), hex(bytes(...input))).to.throw(
          TypeError,
          "invalid UTF-8",
        );
      }
    });

    it("takes an offset and length, and only an ArrayBuffer", () => {
      expect(fromArrayBuffer(bytes(0x61, 0x62, 0x63, 0x64), 1, 2)).to.equal("bc");
      expect(fromArrayBuffer(bytes(0x61, 0x62, 0x63, 0x64), 3)).to.equal("d");
      expect(() => fromArrayBuffer(bytes(0x61), 2)).to.throw(RangeError, "invalid byteOffset 2");
      expect(() => fromArrayBuffer(bytes(0x61), 0, 2)).to.throw(RangeError, "invalid byteLength 2");
      expect(() => fromArrayBuffer(new Uint8Array(2))).to.throw(
        TypeError,
        "argument: not an ArrayBuffer instance",
      );
      expect(() => fromArrayBuffer()).to.throw(TypeError, "no argument");
    });
  });

  describe("ArrayBuffer.fromString", () => {
    it("encodes like XS: lone surrogates keep their 3-byte form", () => {
      expect(hex(fromString("h\u00e9"))).to.equal("68c3a9");
      expect(hex(fromString("\ud800"))).to.equal("eda080");
      expect(hex(fromString("\u{1F600}"))).to.equal("f09f9880");
      expect(hex(fromString("a\0b"))).to.equal("610062");
      expect(hex(fromString(12))).to.equal("3132");
    });
  });

  describe("ArrayBuffer.prototype.concat", () => {
    it("appends ArrayBuffers and refuses views", () => {
      expect(hex(concat.call(bytes(1, 2), bytes(3), bytes()))).to.equal("010203");
      expect(hex(concat.call(bytes(1, 2)))).to.equal("0102");
      expect(() => concat.call(bytes(1), new Uint8Array(1))).to.throw(
        TypeError,
        "arguments[0]: not an ArrayBuffer instance",
      );
      expect(() => concat.call(new Uint8Array(1), bytes(1))).to.throw(TypeError);
    });
  });
});
