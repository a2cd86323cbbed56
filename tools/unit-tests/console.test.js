// tools/console.js (npm run console): the wrapper's command line, then wscat through it against
// local echo servers, ws:// and wss://.
import { expect } from "chai";
import { startFirmware } from "../platform/index.js";
import { spawnSync } from "node:child_process";
import {
  connectionRefused,
  parseConsoleArgs,
  WSCAT_OPTIONS,
  WSCAT_SHORT,
  wscatBin,
} from "../console.js";
import { makeCertificate, runTool, startServer } from "./cli-support.js";
import { freePort } from "../sim/free-port.js";
import { isRefused, nothingListens } from "../wire/nothing-listens.js";

/** What the console says when nothing listens on 127.0.0.1:port. */
const nothingListensLocally = (port) =>
  `console: nothing listens at ws://127.0.0.1:${port}/ws: start the firmware with npm start ` +
  "(or npm run dev), or give the board's address, e.g. npm run console -- 192.168.1.42\n";

const describeRun = (run) => `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;

/** An echo server that greets each client first, so a test knows when wscat is connected. */
const echoServer = (options = {}) =>
  startServer({
    ...options,
    onConnection: (ws) => {
      ws.send("welcome");
      ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    },
  });

describe("console: the command line", () => {
  it("turns addresses as BOARD= takes them into URLs, and defaults to npm start's", () => {
    const url = (...argv) => parseConsoleArgs(argv).url;
    expect(parseConsoleArgs([])).to.include({ url: "ws://127.0.0.1:8080/ws", defaulted: true });
    expect(url("192.168.1.42")).to.equal("ws://192.168.1.42/ws");
    expect(url("127.0.0.1:8080")).to.equal("ws://127.0.0.1:8080/ws");
    expect(url("esp32-echo.local")).to.equal("ws://esp32-echo.local/ws");
    expect(url("esp32-echo.local/api")).to.equal("ws://esp32-echo.local/api");
    expect(url("ws://esp32-echo.local:81/broadcast")).to.equal(
      "ws://esp32-echo.local:81/broadcast",
    );
    expect(url("wss://stream.binance.com:9443/ws/btcusdt@depth")).to.equal(
      "wss://stream.binance.com:9443/ws/btcusdt@depth",
    );
    expect(url("-c", "10.0.0.2")).to.equal("ws://10.0.0.2/ws");
    expect(url("--connect=10.0.0.2:81")).to.equal("ws://10.0.0.2:81/ws");
  });

  it("adds the token header and --no-check, and passes wscat's options through", () => {
    const parsed = parseConsoleArgs([
      "--token",
      "s3cret",
      "-x",
      "hello",
      "h:1",
      "--insecure",
      "-nP",
      "--slash",
      "-w",
      "1",
      "--max-redirects",
      "-H",
      "X-A: b",
    ]);
    expect(parsed.wscatArgs).to.deep.equal([
      "--connect",
      "ws://h:1/ws",
      "--header",
      "Authorization:Bearer s3cret",
      "--no-check",
      "--execute",
      "hello",
      "--no-check",
      "--show-ping-pong",
      "--slash",
      "--wait",
      "1",
      "--max-redirects",
      "--header",
      "X-A: b",
    ]);
    expect(parsed.execute).to.equal(true);
    expect(parseConsoleArgs(["-xhi"]).wscatArgs.slice(2)).to.deep.equal(["--execute", "hi"]);
    expect(parseConsoleArgs(["--passphrase", "pw", "h"]).wscatArgs).to.deep.equal([
      "--connect",
      "ws://h/ws",
      "--passphrase",
      "pw",
    ]);
  });

  it("refuses what it cannot pass on, saying why", () => {
    for (const [argv, message] of [
      [["--token"], "--token needs a value"],
      [["--token", "two words"], "printable ASCII"],
      [["--bogus"], 'unknown option "--bogus"'],
      [["-Z"], 'unknown option "-Z"'],
      [["a", "b"], 'two addresses, "a" and "b"'],
      [["a", "-c", "b"], 'two addresses, "a" and "b" (-c)'],
      [["--listen", "80"], "run npx wscat --listen"],
      [["--slash=yes"], "--slash takes no value"],
      [["http://x/ws"], "only ws:// and wss://"],
      [["a b"], 'cannot read "a b"'],
      [["-x"], "-x needs a value"],
    ]) {
      expect(() => parseConsoleArgs(argv), argv.join(" ")).to.throw(message);
    }
  });

  it("knows every option of the installed wscat (its --help)", () => {
    const help = spawnSync(process.execPath, [wscatBin().path, "--help"], { encoding: "utf8" });
    const found = {};
    const short = {};
    for (const match of help.stdout.matchAll(/^ {2}(?:-(\w), )?(--[\w-]+)(?: ([<[]))?/gm)) {
      found[match[2]] = match[3] === "<" ? "required" : match[3] === "[" ? "optional" : "flag";
      if (match[1]) short[match[1]] = match[2];
    }
    expect(found).to.deep.equal(WSCAT_OPTIONS);
    expect(short).to.deep.equal(WSCAT_SHORT);
  });

  it("says what a refused connection means: on this computer, elsewhere", () => {
    for (const url of ["ws://127.0.0.1:8080/ws", "ws://localhost:8080/ws", "ws://[::1]:8080/ws"]) {
      expect(nothingListens(url, "console")).to.equal(
        `nothing listens at ${url}: start the firmware with npm start (or npm run dev), ` +
          "or give the board's address, e.g. npm run console -- 192.168.1.42",
      );
    }
    expect(nothingListens("ws://192.168.1.42/ws", "watch")).to.equal(
      "nothing listens at ws://192.168.1.42/ws: 192.168.1.42 refused port 80. Is the firmware " +
        "running there, on that port? (A board's serial log says \"WebSocket echo server ready: " +
        'ws://<ip>/ws" once it is; its address can change when it reboots.)',
    );
    expect(nothingListens("wss://example.com/x", "watch")).to.include("refused port 443");
    expect(isRefused(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).to
      .be.true;
    const bothFamilies = new AggregateError([
      Object.assign(new Error("a"), { code: "ECONNREFUSED" }),
      Object.assign(new Error("b"), { code: "ECONNREFUSED" }),
    ]);
    expect(isRefused(bothFamilies)).to.equal(true);
    expect(isRefused(Object.assign(new Error("reset"), { code: "ECONNRESET" }))).to.equal(false);
    expect(isRefused(new AggregateError([]))).to.equal(false);
  });
});

describe("console: wscat through the wrapper (tools/console.js)", function () {
  this.timeout(20_000);
  let server = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it("--help explains the wrapper and lists wscat's own options (exit 0)", async () => {
    const run = await runTool("console.js", ["--help"]).exited;
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/^Usage: npm run console -- \[address\] \[options\]/);
    expect(run.stdout).to.include("--token T");
    expect(run.stdout).to.match(/wscat \d+\.\d+\.\d+'s own options:\n/);
    expect(run.stdout).to.include("-x, --execute <command>");
    expect(run.stdout).to.include("-n, --no-check");
    expect(run.stdout).to.include("Exit codes:");
  });

  it("exits with 2 and says why on bad arguments", async () => {
    for (const args of [["--bogus"], ["--token"], ["http://x"], ["-l", "8080"]]) {
      const run = await runTool("console.js", args).exited;
      expect(run.code, describeRun(run)).to.equal(2);
      expect(run.stderr).to.match(/^console: .+\n\(npm run console -- --help explains/);
    }
  });

  it("connects to host:port at /ws, sends each line of stdin and prints the echoes", async () => {
    server = await echoServer();
    const tool = runTool("console.js", [`127.0.0.1:${server.port}`], { stdin: "pipe" });
    await tool.waitFor("stdout", /welcome\n/);
    tool.child.stdin.write("hello\n");
    await tool.waitFor("stdout", /hello\n/);
    tool.child.stdin.write("second line\n");
    await tool.waitFor("stdout", /second line\n/);
    tool.child.stdin.end(); // wscat quits at the end of its input
    const run = await tool.exited;
    expect(run.code, describeRun(run)).to.equal(0);
    expect(run.stderr).to.include(`console: connecting to ws://127.0.0.1:${server.port}/ws`);
    // Without a terminal the console first opens and closes a connection of its own (a check
    // wscat cannot make: it would quit at the end of stdin before reporting an error).
    expect(server.requests.map((r) => r.url)).to.deep.equal(["/ws", "/ws"]);
    expect(server.requests[0].received, "the console's check").to.deep.equal([]);
    expect(server.requests[1].received).to.deep.equal(["hello", "second line"]);
  });

  it("-x sends a message and prints the echo even with no stdin; --token sends the header", async () => {
    server = await echoServer();
    const run = await runTool("console.js", [
      server.url("/api"),
      "-x",
      "ping me",
      "-w",
      "0.3",
      "--token",
      "s3cret",
    ]).exited; // stdin is /dev/null here
    expect(run.code, describeRun(run)).to.equal(0);
    expect(run.stdout).to.equal("welcome\nping me\n");
    expect(server.requests[0].url).to.equal("/api");
    expect(server.requests[0].headers.authorization).to.equal("Bearer s3cret");
  });

  it("exits 1 when the connection fails; refused, it says nothing listens there", async () => {
    const port = await freePort(); // free on 127.0.0.1 a moment ago: connection refused
    const run = await runTool("console.js", [`127.0.0.1:${port}`, "-x", "x"]).exited;
    expect(run.code, describeRun(run)).to.equal(1);
    // wscat's own line, then what it means.
    expect(run.stderr).to.include(`error: connect ECONNREFUSED 127.0.0.1:${port}\n`);
    expect(run.stderr.endsWith(nothingListensLocally(port)), describeRun(run)).to.equal(true);
    expect(run.stderr).not.to.include("certificate");
  });

  it("without a terminal, exits 1 saying nothing listens there when the connection is refused", async () => {
    const port = await freePort(); // free on 127.0.0.1 a moment ago: connection refused
    const run = await runTool("console.js", [`127.0.0.1:${port}`]).exited; // stdin: /dev/null
    expect(run.code, describeRun(run)).to.equal(1);
    expect(run.stderr).to.equal(
      `console: connecting to ws://127.0.0.1:${port}/ws with wscat ${wscatBin().version}\n` +
        nothingListensLocally(port),
    );
  });

  it("tells a refused connection from one that opens (its check after wscat failed)", async () => {
    server = await echoServer();
    expect(await connectionRefused(server.url())).to.equal(false);
    const port = await freePort();
    expect(await connectionRefused(`ws://127.0.0.1:${port}/ws`)).to.equal(true);
    expect(server.requests, "a TCP check, not a WebSocket connection").to.have.length(0);
  });

  it("without a terminal, says on a 401 whether the token was missing or wrong (exit 1)", async () => {
    const firmware = await startFirmware({ overrides: ["port=0", "token=s3cret"] });
    try {
      const address = `127.0.0.1:${firmware.port}`;
      const missing = await runTool("console.js", [address]).exited;
      expect(missing.code, describeRun(missing)).to.equal(1);
      expect(missing.stderr).to.include("HTTP 401 Unauthorized: missing token");
      expect(missing.stderr).to.include("no token given: --token T sends one");
      const wrong = await runTool("console.js", [address, "--token", "nope"]).exited;
      expect(wrong.code, describeRun(wrong)).to.equal(1);
      expect(wrong.stderr).to.include("HTTP 401 Unauthorized: invalid token");
      expect(wrong.stderr).to.include("the token given is not the server's");
    } finally {
      await firmware.stop();
    }
  });

  describe("over wss:// with a self-signed certificate", () => {
    let tls = null;
    before(function () {
      const made = makeCertificate();
      if (made.skip) {
        console.log(`      (skipped: ${made.skip})`);
        this.skip();
      }
      tls = made;
    });

    for (const flag of ["--insecure", "--no-check"]) {
      it(`${flag} accepts it and the echo comes back`, async () => {
        server = await echoServer({ tls });
        const url = server.url("/ws/btcusdt@depth");
        const run = await runTool("console.js", [url, flag, "-x", "over tls", "-w", "0.3"]).exited;
        expect(run.code, describeRun(run)).to.equal(0);
        expect(run.stdout).to.equal("welcome\nover tls\n");
        expect(run.stderr).to.include(`console: connecting to ${url}`);
      });
    }

    it("without --insecure wscat says the certificate is self-signed, and exits 1", async () => {
      server = await echoServer({ tls });
      const run = await runTool("console.js", [server.url(), "-x", "x"]).exited;
      expect(run.code, describeRun(run)).to.equal(1);
      expect(run.stderr).to.include("error: self-signed certificate");
      expect(run.stderr).to.include("--insecure accepts any certificate");
      expect(server.requests).to.have.length(0);
    });
  });
});
