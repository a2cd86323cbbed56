// tools/wire/command-line.js: the tools' one command-line parser and its value checks.
import { expect } from "chai";
import { HELP, parseCommandLine } from "../wire/command-line.js";
import {
  integer,
  listOf,
  oneOf,
  positiveNumber,
  text,
  token,
  wsUrl,
} from "../wire/option-values.js";
import { UsageError } from "../wire/usage-error.js";

const OPTIONS = {
  ...HELP,
  "--count": { kind: integer(1), default: 3 },
  "--skip": { kind: integer(0) },
  "--delay": { kind: positiveNumber },
  "--engine": { kind: oneOf("xs", "node") },
  "--ports": { kind: listOf(integer(1)) },
  "--send": { kind: text, repeat: true },
  "--url": { kind: wsUrl },
  "--token": { kind: token },
  "--verbose": {},
  "--no-xs": { key: "xs", default: true, set: false },
  "--max-reconnects": { kind: integer(0), default: Infinity },
};

const parse = (argv, positionals = 0) => parseCommandLine(argv, { options: OPTIONS, positionals });

/** The message of the UsageError that `argv` gets. */
function usageError(argv, positionals) {
  try {
    parse(argv, positionals);
  } catch (error) {
    expect(error, argv.join(" ")).to.be.an.instanceOf(UsageError);
    return error.message;
  }
  throw new Error(`${argv.join(" ")}: no UsageError`);
}

describe("command-line parser (tools/wire/command-line.js)", () => {
  it("gives every option its default, flags false, repeatable ones []", () => {
    expect(parse([])).to.deep.equal({
      options: {
        help: false,
        count: 3,
        skip: undefined,
        delay: undefined,
        engine: undefined,
        ports: undefined,
        send: [],
        url: undefined,
        token: undefined,
        verbose: false,
        xs: true,
        maxReconnects: Infinity,
      },
      positionals: [],
    });
  });

  it("reads --name value, --name=value, flags, other names, repeats and positionals", () => {
    const { options, positionals } = parse(
      [
        "a",
        "--count",
        "7",
        "--skip=0",
        "--delay",
        "1.5",
        "--engine=node",
        "--ports",
        "80, 8080",
        "--send",
        "x",
        "--send=--y",
        "--url",
        "ws://h/ws",
        "--token",
        "t0k",
        "--verbose",
        "--no-xs",
        "-h",
        "--max-reconnects",
        "2",
        "--",
        "--not-an-option",
      ],
      2,
    );
    expect(options).to.deep.equal({
      help: true,
      count: 7,
      skip: 0,
      delay: 1.5,
      engine: "node",
      ports: [80, 8080],
      send: ["x", "--y"],
      url: "ws://h/ws",
      token: "t0k",
      verbose: true,
      xs: false,
      maxReconnects: 2,
    });
    expect(positionals).to.deep.equal(["a", "--not-an-option"]);
  });

  it("takes the next argument as the value, whatever it is; '-' alone is positional", () => {
    expect(parse(["--send", "--verbose"]).options).to.include({ verbose: false });
    expect(parse(["--send", "--verbose"]).options.send).to.deep.equal(["--verbose"]);
    expect(parse(["-"], 1).positionals).to.deep.equal(["-"]);
  });

  it("refuses what it cannot read with a UsageError that says what", () => {
    for (const [argv, message] of [
      [["--bogus"], 'unknown option "--bogus"'],
      [["--bogus=1"], 'unknown option "--bogus"'],
      [["-Z"], 'unknown option "-Z"'],
      [["--count"], "--count needs a value"],
      [["--verbose=yes"], "--verbose takes no value"],
      [["-h=1"], 'unknown option "-h=1"'],
      [["x"], 'unexpected argument "x"'],
      [["--ports", "80,x"], '--ports: "x" is not a positive integer'],
      [["--token", "two words"], "--token: a token is printable ASCII without spaces"],
    ]) {
      expect(usageError(argv), argv.join(" ")).to.equal(message);
    }
    expect(usageError(["a", "b", "c"], 2)).to.equal('unexpected argument "c"');
  });

  it("says which option has a value of the wrong kind, the value, and what it wanted", () => {
    for (const [option, values, what] of [
      ["--count", ["abc", "0", "1e3", "2.5", " 5"], "a positive integer"],
      ["--skip", ["-1"], "an integer of at least 0"],
      ["--delay", ["soon", "0", "-2", ""], "a number above 0"],
      ["--engine", ["v8", "XS"], "xs or node"],
      ["--url", ["http://h/", "wss://h/"], "ws://…"],
    ]) {
      for (const value of values) {
        expect(usageError([option, value])).to.equal(`${option}: "${value}" is not ${what}`);
      }
    }
  });
});
