// XS built-ins the layer adds, in each engine, against what XS 8.2.3 returned for the same inputs.
import { expect } from "chai";
import { forEachEngine, runCheck } from "./platform-support.js";

const value = (v) => ({ value: v });
const throws = (message) => ({ throws: message });

describe("platform: XS globals", function () {
  this.timeout(15_000);
  forEachEngine((engine) => {
    let results;
    before(async () => {
      results = new Map(await runCheck("xs-globals", engine));
    });
    const expectResults = (expected) => {
      for (const [label, outcome] of expected)
        expect(results.get(label), label).to.deep.equal(outcome);
    };

    it("String.fromArrayBuffer decodes UTF-8, including the forms XS accepts without checking", () => {
      expectResults([
        ["decode h\u00e9", value("h\u00e9")],
        ["decode U+1F600", value("\u{1F600}")],
        ["decode a 00 b", value("a\0b")],
        ["decode overlong C0 80", value("\0")],
        ["decode surrogate ED B0 80", value("\udc00")],
        ["decode BOM", value("\ufeffA")],
        ["decode empty", value("")],
      ]);
    });

    it('String.fromArrayBuffer throws TypeError "invalid UTF-8" on broken sequences, like XS', () => {
      expectResults(
        ["61 80", "61 FF 62", "61 E2 82", "C3 28"].map((input) => [
          `decode ${input}`,
          throws("TypeError: invalid UTF-8"),
        ]),
      );
    });

    it("String.fromArrayBuffer takes an offset and length, and only an ArrayBuffer", () => {
      expectResults([
        ["decode offset 1 length 2", value("bc")],
        ["decode offset 3", value("d")],
        ["decode offset 2 of 1", throws("RangeError: invalid byteOffset 2")],
        ["decode length 2 of 1", throws("RangeError: invalid byteLength 2")],
        ["decode a view", throws("TypeError: argument: not an ArrayBuffer instance")],
        ["decode nothing", throws("TypeError: no argument")],
      ]);
    });

    it("ArrayBuffer.fromString encodes like XS: lone surrogates keep their 3-byte form", () => {
      expectResults([
        ["encode h\u00e9", value("68c3a9")],
        ["encode lone surrogate", value("eda080")],
        ["encode U+FFFD", value("efbfbd")],
        ["encode U+1F600", value("f09f9880")],
        ["encode a 00 b", value("610062")],
        ["encode 12", value("3132")],
      ]);
    });

    it("ArrayBuffer.prototype.concat appends ArrayBuffers and refuses views", () => {
      expectResults([
        ["concat", value("010203")],
        ["concat nothing", value("0102")],
        [
          "concat a view",
          // xsnap's XS has it natively, with its own words; the layer adds it where it is missing.
          engine === "xs"
            ? throws(
                "TypeError: ArrayBuffer.prototype.concat: arguments[0] is no ArrayBuffer instance",
              )
            : throws("TypeError: arguments[0]: not an ArrayBuffer instance"),
        ],
        [
          "concat on a view",
          engine === "xs"
            ? throws("TypeError: ArrayBuffer.prototype.concat: this is no ArrayBuffer instance")
            : throws("TypeError: this: not an ArrayBuffer instance"),
        ],
      ]);
    });
  });
});
