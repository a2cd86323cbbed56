// npm run compare (tools/compare): the clock offset, the latencies and the HTTP response reader
// with numbers made up for them; the command line's refusals; one short run against the firmware
// on the platform layer's Node engine, whose table must hold what is true by construction.
import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFirmware } from "../platform/index.js";
import { freePort } from "../sim/free-port.js";
import { estimateOffset, hostTime } from "../compare/clock.js";
import { compareFigures } from "../compare/figures.js";
import { ResponseReader } from "../wire/http-responses.js";
import { pollLatencies, pushLatencies, summarize, tickTimes } from "../compare/latency.js";
import { readTick } from "../compare/observers.js";
import { formatTable } from "../compare/table.js";
import { runTool } from "./cli-support.js";

const compare = (args, options) => runTool("compare/compare.js", args, options).exited;

describe("compare: the clock offset (tools/compare/clock.js)", function () {
  it("takes (sent + received) / 2 − now of the response with the shortest round trip", function () {
    // The server's uptime is the host's time − 1000; each answer made `late` ms into its trip.
    const sample = (sent, trip, late) => ({ sent, received: sent + trip, now: sent + late - 1000 });
    const clock = estimateOffset([sample(10, 8, 7), sample(50, 0.5, 0.25), sample(90, 3, 0)]);
    expect(clock.roundTrip).to.equal(0.5);
    expect(clock.offset).to.equal(1000);
    expect(clock.samples).to.equal(3);
    expect(hostTime(20, clock)).to.equal(1020);
  });

  it("is off by at most half the round trip it comes from, and null without a sample", function () {
    const clock = estimateOffset([{ sent: 0, received: 4, now: -1000 }]); // answered at once
    expect(clock.offset).to.equal(1002);
    expect(Math.abs(clock.offset - 1000)).to.be.at.most(clock.roundTrip / 2);
    expect(estimateOffset([])).to.equal(null);
  });
});

describe("compare: latencies (tools/compare/latency.js)", function () {
  const window = { first: 3, last: 6 };
  // Tick n made at host time 100·n.
  const madeAt = (tick) => 100 * tick;

  it("knows when each tick was made from any response that showed it", function () {
    const times = tickTimes([
      { tick: 0, at: null },
      { tick: 3, at: 300 },
      { tick: 3, at: 300 },
      { tick: 5, at: 500 },
    ]);
    expect([...times]).to.deep.equal([
      [3, 300],
      [5, 500],
    ]);
  });

  it("push: the first receipt of each tick of the window less its making; none without `at`", function () {
    const messages = [2, 3, 4, 5, 6, 7].map((tick) => ({ tick, received: 100 * tick + tick }));
    const { seen, latencies } = pushLatencies(messages, window, (t) =>
      t === 4 ? undefined : madeAt(t),
    );
    expect(seen).to.equal(4);
    expect(latencies).to.deep.equal([3, 5, 6]);
  });

  it("polling: the first response showing a tick ≥ n, a tick it skipped is missed", function () {
    const responses = [
      { tick: 2, received: 290 },
      { tick: 3, received: 340 }, // tick 3: 40 ms
      { tick: 3, received: 390 },
      { tick: 5, received: 520 }, // 4 skipped; tick 5: 20 ms
      { tick: 5, received: 580 },
      { tick: 6, received: 690 }, // tick 6: 90 ms
    ];
    const { seen, latencies } = pollLatencies([...responses].reverse(), window, madeAt);
    expect(seen).to.equal(3);
    expect(latencies).to.deep.equal([20, 40, 90]);
    expect(summarize(latencies)).to.deep.equal({ p50: 40, p99: 90, count: 3 });
    expect(summarize([]).count).to.equal(0);
  });

  it("figures: the offset from the pollers, the rows in the table's order", function () {
    const poll = (tick, at, sent) => ({ tick, at, now: sent - 1000 + 1, sent, received: sent + 2 });
    const run = {
      window: { first: 1, last: 2 },
      push: {
        requests: 0,
        connections: 1,
        bytesToServer: 10,
        bytesToClient: 20,
        messages: [
          { tick: 1, received: 1100.5 },
          { tick: 2, received: 1200.5 },
        ],
      },
      newConnection: {
        requests: 2,
        connections: 2,
        bytesToServer: 1,
        bytesToClient: 2,
        responses: [poll(1, 100, 1130), poll(2, 200, 1250)],
      },
      keepAlive: {
        requests: 2,
        connections: 1,
        reconnects: 0,
        bytesToServer: 1,
        bytesToClient: 2,
        responses: [poll(1, 100, 1110), poll(2, 200, 1210)],
      },
    };
    const figures = compareFigures(run);
    expect(figures.clock.offset).to.equal(1000);
    expect(figures.rows.map((r) => r.key)).to.deep.equal(["push", "newConnection", "keepAlive"]);
    expect(figures.rows[0].latency).to.deep.equal({ p50: 0.5, p99: 0.5, count: 2 });
    expect(figures.rows[1].latency).to.deep.equal({ p50: 52, p99: 52, count: 2 });
    expect(figures.rows[2].latency).to.deep.equal({ p50: 12, p99: 12, count: 2 });
    const lines = formatTable(figures.rows);
    expect(lines).to.have.length(4);
    expect(lines[1]).to.match(/^ {2}WebSocket push +0 +2\/2 +10 +20 +1 +0\.5 \/ 0\.5 ms \(2\)$/);
  });
});

describe("compare: GET /tick responses (tools/wire/http-responses.js, readTick)", function () {
  const response = (body, extra = "") =>
    `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

  it("reads responses cut anywhere and several in one piece, each with its size", function () {
    const one = response('{"tick": 1, "at": 500, "now": 510}\n');
    const two = response('{"tick": 0, "at": null, "now": 3}\n');
    const bytes = Buffer.from(one + two);
    const reader = new ResponseReader();
    const responses = [];
    let from = 0;
    for (const cut of [5, 60, bytes.length]) {
      responses.push(...reader.push(bytes.subarray(from, cut)));
      from = cut;
    }
    expect(responses.map((r) => r.bytes)).to.deep.equal([one.length, two.length]);
    expect(readTick(responses[0])).to.deep.equal({ tick: 1, at: 500, now: 510 });
    expect(readTick(responses[1])).to.deep.equal({ tick: 0, at: null, now: 3 });
    expect(reader.pending).to.equal(0);
    expect(reader.end()).to.equal(null);
  });

  it("ends a response without Content-Length at the close; refuses one cut short", function () {
    const reader = new ResponseReader();
    expect(reader.push(Buffer.from("HTTP/1.1 404 Not Found\r\n\r\nno such"))).to.deep.equal([]);
    const last = reader.end();
    expect(last.status).to.equal(404);
    expect(() => readTick(last)).to.throw(/GET \/tick answered "HTTP\/1.1 404 Not Found" no such/);
    const cut = new ResponseReader();
    cut.push(Buffer.from(response('{"tick": 1}').slice(0, -3)));
    expect(() => cut.end()).to.throw(/in the middle of a response/);
  });

  it("refuses a body that is not the tick's JSON", function () {
    const parsed = (body) => readTick({ status: 200, statusLine: "HTTP/1.1 200 OK", body });
    expect(() => parsed("tick 3")).to.throw(/not JSON/);
    expect(() => parsed('{"tick": 2, "at": null, "now": 5}')).to.throw(/not \{"tick"/);
    expect(() => parsed('{"tick": 2, "at": 4}')).to.throw(/not \{"tick"/);
  });
});

describe("compare: the command line (npm run compare)", function () {
  this.timeout(20_000);

  for (const [args, message] of [
    [["--events", "0"], /--events: "0" is not a positive integer/],
    [["--interval", "fast"], /--interval: "fast" is not a positive integer/],
    [["--engine", "v8"], /--engine: "v8" is not xs or node/],
    [["--url", "wss://board/ws"], /--url: .*only ws:\/\//],
    [["--url", "192.168.1.42", "--tick", "500"], /--tick is for the firmware started here/],
    [["--url", "192.168.1.42", "--engine", "node"], /--engine is for the firmware on the platform/],
    [["--frobnicate"], /unknown option "--frobnicate"/],
  ]) {
    it(`exits 2 for ${args.join(" ")}`, async function () {
      const { code, stderr } = await compare(args);
      expect(code, stderr).to.equal(2);
      expect(stderr).to.match(message);
    });
  }

  it("prints its usage for --help, exit 0", async function () {
    const { code, stdout } = await compare(["--help"]);
    expect(code).to.equal(0);
    expect(stdout).to.match(/^Usage: npm run compare/);
    expect(stdout).to.include("--interval MS");
  });

  it("exits 1 saying why when the server cannot be reached", async function () {
    const port = await freePort(); // free on 127.0.0.1 a moment ago: connection refused
    const { code, stderr } = await compare(["--url", `127.0.0.1:${port}`]);
    expect(code, stderr).to.equal(1);
    expect(stderr).to.match(/^compare: .*ECONNREFUSED/);
  });

  it("exits 2 for a server that does not tick, saying to give it tick=<ms>", async function () {
    const firmware = await startFirmware({ overrides: ["port=0"], engine: "node" });
    try {
      const { code, stderr } = await compare(["--url", `127.0.0.1:${firmware.port}`]);
      expect(code, stderr).to.equal(2);
      expect(stderr).to.match(/limits\.tick is 0\): flash it with tick=<ms>.*start it with tick=/);
    } finally {
      await firmware.stop();
    }
  });
  it("against a server with a token: says whether --token is missing or wrong, runs with it", async function () {
    const firmware = await startFirmware({
      overrides: ["port=0", "tick=100", "token=s3cret"],
      engine: "node",
    });
    try {
      const url = ["--url", `127.0.0.1:${firmware.port}`];
      const missing = await compare(url);
      expect(missing.code, missing.stderr).to.equal(1);
      expect(missing.stderr).to.include(
        '401 Unauthorized" (the server has a token: give it with --token)',
      );
      const wrong = await compare([...url, "--token", "guess"]);
      expect(wrong.code, wrong.stderr).to.equal(1);
      expect(wrong.stderr).to.include(
        "401 Unauthorized\" (the token given with --token is not the server's)",
      );
      const right = await compare([
        ...url,
        "--token",
        "s3cret",
        "--events",
        "2",
        "--interval",
        "30",
      ]);
      expect(right.code, right.stderr).to.equal(0);
      expect(right.stdout).to.match(/\n {2}WebSocket push +0 +2\/2 /);
    } finally {
      await firmware.stop();
    }
  });
});

describe("compare: a short run against the firmware on the platform layer", function () {
  this.timeout(30_000);
  let dir;
  let run;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), "compare-"));
    const args = ["--events", "4", "--tick", "200", "--interval", "50", "--engine", "node"];
    run = await compare([...args, "--out", dir], { timeout: 25_000 });
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  /** The numbers of the row named `name`: requests, seen, events, bytes ×2, connections. */
  function row(name) {
    const line = run.stdout.split("\n").find((l) => l.startsWith(`  ${name}  `));
    expect(line, `no row "${name}" in\n${run.stdout}`).to.be.a("string");
    const numbers = line
      .slice(name.length + 2)
      .trim()
      .split(/\s+/)
      .slice(0, 5)
      .join(" ");
    const match = /^([\d,]+) (\d+)\/(\d+) ([\d,]+) ([\d,]+) ([\d,]+)$/.exec(numbers);
    expect(match, line).to.not.equal(null);
    const [requests, seen, events, toServer, toClient, connections] = match
      .slice(1)
      .map((n) => Number(n.replace(/,/g, "")));
    const latency = / (-?[\d.]+) \/ (-?[\d.]+) ms \((\d+)\)$/.exec(line);
    return { requests, seen, events, toServer, toClient, connections, latency };
  }

  it("prints the three rows, with what is true by construction", function () {
    expect(run.code, `${run.stdout}\n${run.stderr}`).to.equal(0);
    expect(run.stdout).to.match(
      /^compare: 4 server events \(tick every 200 ms\) to three clients at once, against the firmware on the platform layer \(node\)\n/,
    );
    const push = row("WebSocket push");
    expect(push).to.include({ requests: 0, connections: 1, seen: 4, events: 4 });
    expect(push.latency?.[3], "push latency on all 4 ticks").to.equal("4");
    const fresh = row("HTTP polling, new connection");
    expect(fresh.requests).to.be.above(4);
    expect(fresh.connections).to.equal(fresh.requests);
    expect(fresh.seen).to.equal(4); // 50 ms polls never skip a 200 ms tick
    const kept = row("HTTP polling, keep-alive");
    expect(kept.connections).to.equal(1);
    expect(kept.requests).to.be.above(4);
    for (const r of [push, fresh, kept]) {
      expect(r.toServer).to.be.above(0);
      expect(r.toClient).to.be.above(0);
    }
    // A new connection's request says Connection: close, a kept one's nothing.
    expect(fresh.toServer / fresh.requests).to.be.above(kept.toServer / kept.requests);
  });

  it("writes compare.json and a self-contained compare-report.html with --out", function () {
    const figures = JSON.parse(readFileSync(join(dir, "compare.json"), "utf8"));
    expect(figures.rows.map((r) => r.name)).to.deep.equal([
      "WebSocket push",
      "HTTP polling, new connection",
      "HTTP polling, keep-alive",
    ]);
    expect(figures.parameters).to.include({ events: 4, tickMs: 200, intervalMs: 50 });
    expect(existsSync(join(dir, "compare-report.html"))).to.equal(true);
    const html = readFileSync(join(dir, "compare-report.html"), "utf8");
    expect(html).to.match(/^<!doctype html>/);
    expect(html).not.to.match(/<script|<link|<img|<iframe|@import|url\(/i);
    for (const id of ["bytes", "connections", "latency"]) expect(html).to.include(`id="${id}"`);
    expect(run.stdout).to.include(`report: ${join(dir, "compare-report.html")}`);
  });
});
