// Floods: many connection attempts at once, a burst of pings, a thousand connect/close cycles.
// The server must answer each extra attempt clearly (503, or a refused TCP connection where the
// TCP slots are gone), bound the pongs it owes a flooding client (close 1008), give back every
// slot and every socket and timer afterwards, and keep serving a bystander client throughout.
// Firmware-specific: the reference server has no client limit and answers every ping.
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "chai";
import "./support/hooks.js";
import { parseClosePayload } from "../tools/wire/close-payload.js";
import { encodeFrame } from "../tools/wire/frame-encoder.js";
import { Opcode } from "../tools/wire/opcodes.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { connectTcp } from "../tools/wire/tcp.js";
import {
  fetchStatus,
  releaseConnections,
  targetLimits,
  waitForClientCount,
  waitForStatus,
} from "./support/status.js";
import { target } from "./support/target.js";
import { targetUpgrade } from "./support/upgrade.js";
import { WsClient } from "./support/ws-client.js";

/** Memory figures /status reports that are numbers (null where the runtime cannot tell). */
function knownMemory(status) {
  return Object.fromEntries(
    Object.entries(status.memory ?? {}).filter(([, value]) => typeof value === "number"),
  );
}

/** The largest of each memory figure seen in /status while `during()` runs (polled). */
async function peakMemoryDuring(during) {
  const peak = {};
  let polling = true;
  const poller = (async () => {
    while (polling) {
      try {
        for (const [key, value] of Object.entries(knownMemory(await fetchStatus()))) {
          peak[key] = Math.max(peak[key] ?? value, value);
        }
      } catch {
        // every TCP slot taken at that moment: try again
      }
      await delay(50);
    }
  })();
  try {
    await during();
  } finally {
    polling = false;
    await poller;
  }
  return peak;
}

async function expectEchoes(client, text) {
  await client.send(text);
  expect((await client.nextMessage()).data.toString(), "the bystander's echo").to.equal(text);
}

/** A TCP connection to the target, or null when it is refused (no TCP slot left). */
async function connectOrNull() {
  try {
    const socket = await connectTcp(target.host, target.port, { timeoutMs: target.replyTimeoutMs });
    socket.on("error", () => {});
    return socket;
  } catch {
    return null;
  }
}

/**
 * One upgrade attempt: `{ outcome: "open" }` (101; the socket stays open, holding its slot), an
 * HTTP status such as 503 with its headers, or "refused" (TCP reset or refused: no slot left).
 */
async function attemptUpgrade() {
  const socket = await connectOrNull();
  if (!socket) return { outcome: "refused" };
  socket.write(targetUpgrade());
  return upgradeAnswer(socket);
}

/** What the server answers to the upgrade request written on `socket` (see attemptUpgrade). */
async function upgradeAnswer(socket) {
  const head = await new Promise((resolve) => {
    let data = "";
    const timer = setTimeout(() => resolve(null), target.replyTimeoutMs);
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
      if (data.includes("\r\n\r\n")) {
        clearTimeout(timer);
        resolve(data);
      }
    });
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(data.includes("\r\n\r\n") ? data : "");
    });
  });
  if (head === null) return { outcome: "no answer", socket };
  if (head === "") return { outcome: "refused", socket };
  const status = Number(head.split(" ")[1]);
  const retryAfter = /\r\nretry-after: *([^\r]*)/i.exec(head)?.[1];
  return { outcome: status === 101 ? "open" : String(status), retryAfter, socket };
}

describe("floods", function () {
  this.timeout(60_000);

  afterEach(async function () {
    if (target.kind !== "reference") await releaseConnections();
  });

  it("[firmware] 100 upgrade attempts at once: at most maxClients open, every other one gets 503 or a refused connection, and full capacity comes back", async function () {
    const { maxClients } = await targetLimits(this);
    const bystander = await WsClient.open(target);
    let outcomes;
    const peak = await peakMemoryDuring(async () => {
      outcomes = await Promise.all(Array.from({ length: 100 }, () => attemptUpgrade()));
    });
    const counts = {};
    for (const { outcome } of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
    const summary = JSON.stringify(counts);
    expect(counts.open ?? 0, `opened (with the bystander): ${summary}`).to.be.at.most(
      maxClients - 1,
    );
    for (const outcome of Object.keys(counts)) {
      expect(["open", "503", "refused"], `outcomes ${summary}`).to.include(outcome);
    }
    for (const { outcome, retryAfter } of outcomes) {
      if (outcome === "503") expect(retryAfter, "Retry-After of a 503").to.be.a("string");
    }
    await expectEchoes(bystander, "still here after 100 attempts");
    console.log(`      outcomes ${summary}; peak /status memory ${JSON.stringify(peak)}`);

    for (const { socket } of outcomes) socket?.destroy();
    await waitForClientCount(1); // the bystander
    await bystander.close();
    await waitForClientCount(0);
    await delay(100); // the TCP slots themselves
    const clients = await Promise.all(
      Array.from({ length: maxClients }, () => WsClient.open(target)),
    );
    await Promise.all(clients.map((client, i) => expectEchoes(client, `full capacity ${i}`)));
  });

  it("[firmware] upgrade requests that reach the server together take only the free slots; the others get 503", async function () {
    const { maxClients } = await targetLimits(this);
    const bystander = await WsClient.open(target); // one slot taken: maxClients - 1 free
    // maxClients connections first (on a board, with the bystander's, all 8 of lwip's), then
    // every request in one write each, at once: the server reads them in one turn, or close.
    const sockets = (
      await Promise.all(Array.from({ length: maxClients }, () => connectOrNull()))
    ).filter(Boolean);
    for (const socket of sockets) socket.write(targetUpgrade());
    const outcomes = await Promise.all(sockets.map((socket) => upgradeAnswer(socket)));
    const counts = {};
    for (const { outcome } of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
    const summary = `${sockets.length} connected: ${JSON.stringify(counts)}`;
    expect(counts.open ?? 0, `opened beside the bystander, ${summary}`).to.be.at.most(
      maxClients - 1,
    );
    expect((counts.open ?? 0) + (counts["503"] ?? 0), `answers, ${summary}`).to.equal(
      sockets.length,
    );
    await waitForClientCount(1 + (counts.open ?? 0));
    await expectEchoes(bystander, "still here after the race");
    for (const socket of sockets) socket.destroy();
    await bystander.close();
  });

  it("[firmware] a burst of 10 000 pings gets at most maxPingRate pongs and then close 1008, while a bystander keeps echoing", async function () {
    const { maxPingRate } = await targetLimits(this);
    if (!maxPingRate) this.skip();
    const bystander = await WsClient.open(target);
    const flooder = await RawClient.open(target, { showPings: true });
    const ping = encodeFrame({ opcode: Opcode.PING, payload: "flood" });
    await flooder.sendRaw(Buffer.concat(Array.from({ length: 10_000 }, () => ping)));
    flooder.closeSent = true; // it will not send its own close: the server's must come anyway
    let pongs = 0;
    let close = null;
    while (!close) {
      const frame = await flooder.nextFrame();
      if (frame.opcode === Opcode.PONG) {
        expect(frame.payload.toString(), "pong payload").to.equal("flood");
        pongs++;
      } else if (frame.opcode === Opcode.CLOSE) close = parseClosePayload(frame.payload);
    }
    expect(close.code, `close after ${pongs} pongs`).to.equal(1008);
    expect(pongs, "pongs for 10 000 pings").to.be.at.most(maxPingRate);
    await expectEchoes(bystander, "pings are not my problem");
  });

  it("[firmware] a client that pings a few times a second gets every pong and stays open", async function () {
    const { maxPingRate } = await targetLimits(this);
    const client = await RawClient.open(target); // the server's own pings are answered, hidden
    const count = Math.max(1, Math.min(5, Math.floor(maxPingRate / 4) || 5));
    for (let i = 0; i < count; i++) {
      await client.sendPing(`p${i}`);
      const frame = await client.nextFrame();
      expect([frame.opcode, frame.payload.toString()]).to.deep.equal([Opcode.PONG, `p${i}`]);
      await delay(1000 / (2 * count));
    }
    await client.sendText("still open");
    expect((await client.nextMessage()).payload.toString()).to.equal("still open");
  });

  it("[firmware] 1000 connect/close cycles leave no client, socket or timer behind", async function () {
    await targetLimits(this);
    const bystander = await WsClient.open(target);
    const before = await waitForClientCount(1);
    const cycles = 1000;
    const workers = 4;
    let done = 0;
    const cycle = async (i) => {
      switch (i % 4) {
        case 0: {
          const client = await WsClient.open(target); // closing handshake
          await client.close();
          break;
        }
        case 1: {
          const client = await RawClient.open(target); // vanishes: reset
          client.reset();
          break;
        }
        case 2: {
          const socket = await connectTcp(target.host, target.port, { timeoutMs: 2000 });
          socket.end("GET /ws HTTP/1.1\r\nHost: x\r\n"); // gives up mid-handshake
          await new Promise((resolve) => socket.once("close", resolve));
          break;
        }
        default: {
          const client = await RawClient.open(target); // sends its close, waits for the answer
          await client.sendClose(1000);
          await client.expectClose(1000);
        }
      }
    };
    const peak = await peakMemoryDuring(async () => {
      await Promise.all(
        Array.from({ length: workers }, async (_, w) => {
          for (let i = w; i < cycles; i += workers) {
            // The platform layer and a board reset connections beyond 8 TCP slots: retry those,
            // for as long as a busy machine may take to give one back.
            for (const deadline = performance.now() + target.timeoutMs; ;) {
              try {
                await cycle(i);
                break;
              } catch (err) {
                if (performance.now() > deadline) throw err;
                await delay(20);
              }
            }
            done++;
          }
        }),
      );
    });
    expect(done).to.equal(cycles);
    const after = await waitForStatus(
      (s) =>
        s.clients.length === 1 &&
        Object.entries(knownMemory(before)).every(
          ([key, value]) => !["sockets", "timers"].includes(key) || s.memory[key] === value,
        ),
      { what: "only the bystander, and the sockets and timers of before", timeoutMs: 10_000 },
    );
    expect(after.totals.connections - before.totals.connections).to.be.at.least(cycles);
    console.log(
      `      memory before ${JSON.stringify(knownMemory(before))}, peak ${JSON.stringify(peak)}, after ${JSON.stringify(knownMemory(after))}`,
    );
    await expectEchoes(bystander, "a thousand came and went");
  });
});
