// tools/watch.js (npm run watch): its pure parts, then the tool as a child process against local
// `ws` servers that stream, ping and end the connection as each test chooses.
import { expect } from "chai";
import { toWebSocketUrl } from "../wire/address.js";
import { parseWatchArgs } from "../watch/args.js";
import { Backoff } from "../watch/backoff.js";
import {
  describeCloseCode,
  formatBytes,
  formatDuration,
  formatMessage,
  formatStatus,
  formatSummary,
} from "../watch/format.js";
import { StreamStats } from "../watch/stats.js";
import { describeError } from "../watch/connection.js";
import { freePort } from "../sim/free-port.js";
import { makeCertificate, runTool, startServer, stream } from "./cli-support.js";

/** What the watcher says when nothing listens on 127.0.0.1:port. */
const nothingListensLocally = (port) =>
  `nothing listens at ws://127.0.0.1:${port}/ws: start the firmware with npm start ` +
  "(or npm run dev), or give the board's address, e.g. npm run watch -- 192.168.1.42";

/** The summaries the watcher printed on stdout, read back. */
function summaries(stdout) {
  return stdout
    .split(/^(?=connection #)/m)
    .filter((block) => block.startsWith("connection #"))
    .map((block) => ({
      block,
      number: Number(/^connection #(\d+)/.exec(block)[1]),
      failed: /^connection #\d+ to \S+ failed$/m.test(block),
      openFor: Number(/^ {2}open for +([\d.]+) s$/m.exec(block)?.[1]),
      code: Number(/^ {2}close +(\d+)/m.exec(block)?.[1]),
      reason: /^ {2}close .*reason "(.*)"/m.exec(block)?.[1] ?? null,
      closeLine: /^ {2}close +(.*)$/m.exec(block)?.[1] ?? null,
      messages: Number(/^ {2}received +(\d+) messages?/m.exec(block)?.[1]),
      pings: Number(/; (\d+) pings?$/m.exec(block)?.[1]),
      error: /^ {2}error +(.*)$/m.exec(block)?.[1] ?? null,
    }));
}

const describeRun = (run) => `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;

describe("watch: parts", () => {
  it("counts messages, bytes and pings, and the rate over the last 5 s", () => {
    const stats = new StreamStats(10_000);
    for (let t = 10_000; t < 20_000; t += 20) stats.message(10, t); // 50 msg/s for 10 s
    stats.ping();
    const s = stats.snapshot(20_000);
    expect(s).to.include({ openForMs: 10_000, messages: 500, bytes: 5000, pings: 1 });
    expect(s.lastMessageAgeMs).to.equal(20);
    expect(s.rate).to.be.closeTo(50, 2);
    // Silence: the rate falls to 0 once the window has passed, the counts stay.
    const later = stats.snapshot(26_000);
    expect(later.rate).to.equal(0);
    expect(later.messages).to.equal(500);
    expect(later.lastMessageAgeMs).to.equal(6020);
  });

  it("measures the rate since the connection opened when it is younger than the window", () => {
    const stats = new StreamStats(1_000);
    for (let t = 1_000; t < 2_000; t += 10) stats.message(1, t); // 100 msg/s for 1 s
    expect(stats.rate(2_000)).to.be.closeTo(100, 1);
    expect(new StreamStats(0).snapshot(5).lastMessageAgeMs).to.equal(null);
  });

  it("backs off 1, 2, 4, … up to the maximum, and starts again after a long connection", () => {
    const backoff = new Backoff({ firstMs: 1000, maxMs: 30_000, resetAfterMs: 10_000 });
    const delays = [null, null, 500, null, null, null, 2000].map((open) => backoff.next(open));
    expect(delays).to.deep.equal([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(backoff.next(10_000)).to.equal(1000);
    expect(backoff.next(null)).to.equal(2000);
  });

  it("formats durations, bytes, close codes, the status line and messages", () => {
    expect(formatDuration(503)).to.equal("0.50 s");
    expect(formatDuration(12_345)).to.equal("12.3 s");
    expect(formatDuration(245_200)).to.equal("4 min 05.2 s");
    expect(formatDuration(86_400_000)).to.equal("24 h 00 min 00 s");
    expect(formatBytes(999)).to.equal("999 B");
    expect(formatBytes(12_345)).to.equal("12.3 KB");
    expect(formatBytes(4_560_000)).to.equal("4.56 MB");
    expect(describeCloseCode(1006)).to.include("without a close frame");
    expect(describeCloseCode(4001)).to.equal("the application's own");
    const status = formatStatus(2, {
      openForMs: 12_300,
      messages: 1234,
      bytes: 120_400,
      pings: 1,
      rate: 41,
      lastMessageAgeMs: 20,
    });
    expect(status).to.equal(
      "#2 open 12.3 s | 1234 msgs | 41.0 msg/s | 120 KB | last 0.02 s ago | 1 ping",
    );
    expect(formatMessage(Buffer.from("a\nb\u0001"), false, 0)).to.equal("a\\nb\\u0001");
    expect(formatMessage(Buffer.from("x".repeat(300)), false, 10)).to.equal("xxxxxxxxxx… (300 B)");
    expect(formatMessage(Buffer.from([1, 2, 255]), true, 0)).to.equal("[binary 3 B] 0102ff");
  });

  it("summarizes a connection: when, how long, the close code and reason, what came", () => {
    const opened = new Date(2025, 0, 2, 3, 4, 5, 6).getTime();
    const lines = formatSummary({
      number: 1,
      url: "ws://127.0.0.1:8080/ws",
      startedAt: opened - 12,
      openedAt: opened,
      closedAt: opened + 30_500,
      code: 1000,
      reason: "bye",
      error: null,
      stoppedBy: null,
      stats: { messages: 61, bytes: 6100, pings: 2 },
    });
    expect(lines).to.deep.equal([
      "connection #1 to ws://127.0.0.1:8080/ws",
      "  connected  2025-01-02 03:04:05.006 (the handshake took 12 ms)",
      "  closed     2025-01-02 03:04:35.506",
      "  open for   30.5 s",
      '  close      1000 (normal closure), reason "bye", closed by the server',
      "  received   61 messages, 6.10 KB, 2.00 msg/s on average; 2 pings",
    ]);
  });

  it("describes a refused connection as nothing listening there, other errors as they are", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8080"), {
      code: "ECONNREFUSED",
    });
    expect(describeError(refused, "ws://127.0.0.1:8080/ws")).to.equal(nothingListensLocally(8080));
    expect(describeError(refused, "ws://192.168.1.42/ws")).to.match(
      /^nothing listens at ws:\/\/192\.168\.1\.42\/ws: 192\.168\.1\.42 refused port 80\. /,
    );
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(describeError(reset, "ws://127.0.0.1:8080/ws")).to.equal("socket hang up (ECONNRESET)");
  });

  it("reads its command line; addresses take the forms BOARD= takes, and wss://", () => {
    const defaults = parseWatchArgs([]);
    expect(defaults).to.include({
      url: "ws://127.0.0.1:8080/ws",
      defaulted: true,
      reconnect: false,
      durationMs: null,
      insecure: false,
    });
    const o = parseWatchArgs([
      "esp32-echo.local",
      "--max-reconnects=3",
      "--duration",
      "1.5",
      "--send",
      "a",
      "--send",
      "b",
      "--token",
      "t0k",
      "--insecure",
      "--show",
    ]);
    expect(o).to.include({
      url: "ws://esp32-echo.local/ws",
      reconnect: true,
      maxReconnects: 3,
      durationMs: 1500,
      token: "t0k",
      insecure: true,
      show: true,
    });
    expect(o.send).to.deep.equal(["a", "b"]);
    expect(toWebSocketUrl("192.168.1.42")).to.equal("ws://192.168.1.42/ws");
    expect(toWebSocketUrl("192.168.1.42:8080/api")).to.equal("ws://192.168.1.42:8080/api");
    expect(toWebSocketUrl("ws://esp32-echo.local")).to.equal("ws://esp32-echo.local/ws");
    expect(toWebSocketUrl("wss://stream.binance.com:9443/ws/btcusdt@depth")).to.equal(
      "wss://stream.binance.com:9443/ws/btcusdt@depth",
    );
    expect(toWebSocketUrl("[::1]:8080")).to.equal("ws://[::1]:8080/ws");
    for (const [argv, message] of [
      [["--duration"], "--duration needs a value"],
      [["--duration", "soon"], '--duration: "soon" is not a number above 0'],
      [["--max-reconnects", "-1"], '"-1" is not an integer of at least 0'],
      [["--reconnect=yes"], "--reconnect takes no value"],
      [["--bogus"], 'unknown option "--bogus"'],
      [["a", "b"], 'two addresses, "a" and "b"'],
      [["http://x/ws"], "only ws:// and wss://"],
      [["--token", "a b"], "printable ASCII"],
    ]) {
      expect(() => parseWatchArgs(argv), argv.join(" ")).to.throw(message);
    }
  });
});

describe("watch: the tool (tools/watch.js) against a local server", function () {
  this.timeout(20_000);
  let server = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it("--help explains the options and the exit codes (exit 0)", async () => {
    const run = await runTool("watch.js", ["--help"]).exited;
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/^Usage: npm run watch/);
    for (const option of ["--reconnect", "--max-reconnects N", "--duration S", "--insecure"]) {
      expect(run.stdout).to.include(option);
    }
    expect(run.stdout).to.match(/Exit codes:\n {2}0 {2}stopped by --duration or Ctrl-C/);
  });

  it("exits with 2 and says why on bad arguments", async () => {
    for (const args of [["--duration", "x"], ["--frobnicate"], ["ftp://x"]]) {
      const run = await runTool("watch.js", args).exited;
      expect(run.code, describeRun(run)).to.equal(2);
      expect(run.stderr).to.match(/^watch: .+\n\(npm run watch -- --help explains the options\)/);
      expect(run.stdout).to.equal("");
    }
  });

  it('prints when and how the server closed (1000 "bye" after 500 ms), and exits 1', async () => {
    server = await startServer({
      onConnection: (ws) => stream(ws, { endAtMs: 500, code: 1000, reason: "bye" }),
    });
    const run = await runTool("watch.js", [server.url(), "--interval", "0.1"]).exited;
    expect(run.code, describeRun(run)).to.equal(1);
    const [summary, extra] = summaries(run.stdout);
    expect(extra).to.equal(undefined);
    expect(summary.code).to.equal(1000);
    expect(summary.reason).to.equal("bye");
    expect(summary.closeLine).to.include("closed by the server");
    expect(summary.openFor).to.be.within(0.4, 1.2);
    expect(summary.messages).to.be.within(8, 26); // one every 20 ms for 500 ms
    expect(summary.pings).to.equal(1);
    expect(summary.block).to.match(/^ {2}connected {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} /m);
    expect(summary.block).to.match(/^ {2}closed {5}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/m);
    // Not a terminal: status lines, one per --interval.
    expect(run.stderr).to.match(/^watch: #1 connected to ws:\/\/127\.0\.0\.1:\d+\/ws$/m);
    const statusLines = run.stderr.match(/^watch: #1 open [\d.]+ s \| \d+ msgs? \| .*pings?$/gm);
    expect(statusLines?.length ?? 0, run.stderr).to.be.at.least(2);
    expect(run.stderr).not.to.include("\x1b[");
  });

  it("reports 1006 when the TCP connection just drops", async () => {
    server = await startServer({ onConnection: (ws) => stream(ws, { endAtMs: 300, drop: true }) });
    const run = await runTool("watch.js", [server.url()]).exited;
    expect(run.code, describeRun(run)).to.equal(1);
    const [summary] = summaries(run.stdout);
    expect(summary.code).to.equal(1006);
    expect(summary.closeLine).to.include("without a close frame");
    expect(summary.closeLine).to.include("no reason");
    expect(summary.openFor).to.be.within(0.2, 1.0);
  });

  it("--duration closes with 1000 and exits 0", async () => {
    server = await startServer({ onConnection: (ws) => stream(ws, { endAtMs: null }) });
    const run = await runTool("watch.js", [server.url("/stream"), "--duration", "0.6"]).exited;
    expect(run.code, describeRun(run)).to.equal(0);
    const [summary] = summaries(run.stdout);
    expect(summary.code).to.equal(1000);
    expect(summary.closeLine).to.include("closed by this watcher (--duration 0.6 s)");
    expect(summary.openFor).to.be.within(0.5, 1.2);
    expect(server.requests[0].url).to.equal("/stream");
  });

  it("--reconnect connects again after the server closed, up to --max-reconnects", async () => {
    server = await startServer({
      onConnection: (ws) => stream(ws, { endAtMs: 300, code: 1001, reason: "restart" }),
    });
    const started = Date.now();
    const run = await runTool("watch.js", [
      server.url(),
      "--max-reconnects",
      "1",
      "--reconnect-delay",
      "0.2",
    ]).exited;
    expect(run.code, describeRun(run)).to.equal(1); // out of reconnects
    const all = summaries(run.stdout);
    expect(all.map((s) => [s.number, s.code, s.reason])).to.deep.equal([
      [1, 1001, "restart"],
      [2, 1001, "restart"],
    ]);
    expect(server.requests).to.have.length(2);
    expect(Date.now() - started).to.be.at.least(800); // 300 + 200 + 300 ms
    expect(run.stderr).to.include("watch: reconnecting in 0.20 s (reconnect 1 of 1)");
    expect(run.stdout).to.match(/^2 connections \(0 failed\), open [\d.]+ s of [\d.]+ s, /m);
  });

  it("--reconnect with --duration keeps reconnecting with a doubling delay, then exits 0", async () => {
    server = await startServer({
      onConnection: (ws) => stream(ws, { endAtMs: 150, code: 1000, reason: "again" }),
    });
    const run = await runTool("watch.js", [
      server.url(),
      "--reconnect",
      "--reconnect-delay",
      "0.1",
      "--duration",
      "1.4",
    ]).exited;
    expect(run.code, describeRun(run)).to.equal(0);
    expect(summaries(run.stdout).length).to.be.at.least(3);
    expect(run.stderr).to.include("reconnecting in 0.10 s (reconnect 1)");
    expect(run.stderr).to.include("reconnecting in 0.20 s (reconnect 2)");
  });

  it("exits 1 when the connection is refused, saying nothing listens there", async () => {
    const port = await freePort(); // free on 127.0.0.1 a moment ago: connection refused
    const run = await runTool("watch.js", [`127.0.0.1:${port}`]).exited;
    expect(run.code, describeRun(run)).to.equal(1);
    const all = summaries(run.stdout);
    expect(all).to.have.length(1);
    expect(all[0].failed).to.equal(true);
    expect(all[0].error).to.equal(nothingListensLocally(port));
  });

  it("reconnects after a failed connection too, and says why it failed", async () => {
    const port = await freePort(); // free on 127.0.0.1 a moment ago: connection refused
    const run = await runTool("watch.js", [
      `127.0.0.1:${port}`,
      "--max-reconnects",
      "2",
      "--reconnect-delay",
      "0.05",
    ]).exited;
    expect(run.code, describeRun(run)).to.equal(1);
    const all = summaries(run.stdout);
    expect(all).to.have.length(3);
    for (const s of all) {
      expect(s.failed).to.equal(true);
      expect(s.error).to.equal(nothingListensLocally(port));
    }
    expect(run.stdout).to.include("3 connections (3 failed)");
  });

  it("sends --token and --send, and prints messages with --show, cut at --truncate", async () => {
    server = await startServer({
      onConnection: (ws) => {
        ws.send("x".repeat(500));
        ws.send(Buffer.from([0xde, 0xad]), { binary: true });
        ws.send("two\nlines");
        setTimeout(() => ws.close(1000), 200);
      },
    });
    const run = await runTool("watch.js", [
      server.url(),
      "--token",
      "s3cret",
      "--send",
      "hello",
      "--send",
      "again",
      "--show",
      "--truncate",
      "20",
    ]).exited;
    expect(run.code, describeRun(run)).to.equal(1);
    expect(server.requests[0].headers.authorization).to.equal("Bearer s3cret");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.requests[0].received).to.deep.equal(["hello", "again"]);
    expect(run.stdout.split("\n").slice(0, 3)).to.deep.equal([
      `${"x".repeat(20)}… (500 B)`,
      "[binary 2 B] dead",
      "two\\nlines",
    ]);
  });

  it("says what the server answered when it refuses the upgrade (HTTP 401)", async () => {
    server = await startServer({ verifyClient: (info, done) => done(false, 401, "Unauthorized") });
    const run = await runTool("watch.js", [server.url()]).exited;
    expect(run.code, describeRun(run)).to.equal(1);
    const [summary] = summaries(run.stdout);
    expect(summary.failed).to.equal(true);
    expect(summary.error).to.equal("the server answered HTTP 401 Unauthorized");
  });

  it("--ping ends a connection whose server stopped answering pings, as 1006", async () => {
    server = await startServer({
      autoPong: false,
      onConnection: (ws) => stream(ws, { everyMs: 50, pingAtMs: null, endAtMs: null }),
    });
    const run = await runTool("watch.js", [server.url(), "--ping", "0.2"]).exited;
    expect(run.code, describeRun(run)).to.equal(1);
    const [summary] = summaries(run.stdout);
    expect(summary.code).to.equal(1006);
    expect(summary.error).to.equal(
      "no pong within 0.2 s of a ping (--ping): the connection is dead",
    );
    expect(summary.openFor).to.be.within(0.35, 1.0); // the first ping at 0.2 s, checked at 0.4 s
  });

  it("--ping keeps a connection whose server answers", async () => {
    server = await startServer({ onConnection: (ws) => stream(ws, { endAtMs: null }) });
    const run = await runTool("watch.js", [server.url(), "--ping", "0.1", "--duration", "0.7"])
      .exited;
    expect(run.code, describeRun(run)).to.equal(0);
    expect(summaries(run.stdout)[0].error).to.equal(null);
  });

  it("Ctrl-C (SIGINT) closes with 1000, prints the summary and exits 0", async () => {
    server = await startServer({ onConnection: (ws) => stream(ws, { endAtMs: null }) });
    const tool = runTool("watch.js", [server.url()]);
    await tool.waitFor("stderr", /connected to/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    tool.child.kill("SIGINT");
    const run = await tool.exited;
    expect(run.code, describeRun(run)).to.equal(0);
    const [summary] = summaries(run.stdout);
    expect(summary.code).to.equal(1000);
    expect(summary.closeLine).to.include("closed by this watcher (Ctrl-C)");
    expect(summary.messages).to.be.at.least(3);
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

    it("--insecure accepts it", async () => {
      server = await startServer({
        tls,
        onConnection: (ws) => stream(ws, { endAtMs: 400, code: 4000, reason: "tls bye" }),
      });
      const url = server.url("/ws/btcusdt@depth");
      expect(url).to.match(/^wss:\/\/127\.0\.0\.1:\d+\/ws\/btcusdt@depth$/);
      const run = await runTool("watch.js", [url, "--insecure"]).exited;
      expect(run.code, describeRun(run)).to.equal(1);
      const [summary] = summaries(run.stdout);
      expect(summary.code).to.equal(4000);
      expect(summary.reason).to.equal("tls bye");
      expect(summary.messages).to.be.at.least(5);
      expect(summary.pings).to.equal(1);
      expect(server.requests[0].url).to.equal("/ws/btcusdt@depth");
    });

    it("without --insecure it fails with a certificate error that names --insecure", async () => {
      server = await startServer({ tls, onConnection: (ws) => stream(ws, { endAtMs: 400 }) });
      const run = await runTool("watch.js", [server.url()]).exited;
      expect(run.code, describeRun(run)).to.equal(1);
      const [summary] = summaries(run.stdout);
      expect(summary.failed).to.equal(true);
      expect(summary.error).to.equal(
        "certificate not accepted: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT); " +
          "--insecure accepts it",
      );
      expect(server.requests).to.have.length(0);
    });
  });
});
