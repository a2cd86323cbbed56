// Hardening, faults (issue 5): a client whose connection is reset (TCP RST, as when a phone
// leaves the Wi-Fi or a process is killed) in the middle of its handshake, of a frame, of a
// fragmented message, while the server is sending it a large message, or right after its close
// frame, leaves no trace: a bystander (support/bystander().js) connected before keeps echoing, a
// new client connects, and on the firmware the client registry (GET /status) returns to the
// bystander alone. Generic tests check the others; `[firmware]` tests check the registry too.
import { setTimeout as delay } from "node:timers/promises";
import "./support/hooks.js";
import { useBystander } from "./support/bystander.js";
import { register, unregister } from "../tools/wire/open-connections.js";
import { binaryPayload } from "./support/data.js";
import { encodeFrame } from "../tools/wire/frame-encoder.js";
import { Opcode } from "../tools/wire/opcodes.js";
import { RawClient } from "../tools/wire/raw-client.js";
import { waitForStatus } from "./support/status.js";
import { firmwareOnly, target } from "./support/target.js";
import { targetUpgrade } from "./support/upgrade.js";

const upgrade = () => targetUpgrade();

/** A large echo: many times the board's 8 KB send buffer. */
const LARGE = 60 * 1024;

/** A plain TCP connection that has sent `bytes` and is then reset. */
async function resetTcpAfter(bytes) {
  const socket = await target.connectTcp();
  const handle = register({ dispose: () => socket.destroy() });
  socket.on("error", () => {});
  await new Promise((resolve) => socket.write(bytes, resolve));
  socket.resetAndDestroy();
  unregister(handle);
}

/**
 * With `status`, waits until GET /status lists `count` clients besides the bystander, each with
 * `messagesOut` >= `sent` (the server has queued that many echoes for it).
 */
async function registered(ctx, count, { sent = 0 } = {}) {
  if (!ctx.status) return;
  await waitForStatus(
    (s) => {
      const others = (s.clients ?? []).filter((c) => c.id !== ctx.bystander().id);
      return others.length === count && others.every((c) => c.messagesOut >= sent);
    },
    { what: `${count} client(s) besides the bystander${sent ? `, echoes queued` : ""}` },
  );
}

// Each fault: `start(ctx)` brings a client to the state and resolves with a function that resets
// it; `clients` is how many the registry shows in that state (null: it may or may not).
const FAULTS = [
  {
    what: "in the middle of its upgrade request",
    clients: 0,
    start: async () => {
      const half = upgrade().slice(0, 40);
      return () => resetTcpAfter(half);
    },
  },
  {
    what: "right after its upgrade request, before reading the 101",
    clients: null,
    start: async () => () => resetTcpAfter(upgrade()),
  },
  {
    what: "in the middle of a frame",
    clients: 1,
    start: async () => {
      const client = await RawClient.open(target);
      const frame = encodeFrame({ opcode: Opcode.BINARY, payload: binaryPayload(1000) });
      await client.sendRaw(frame.subarray(0, 300));
      return () => client.reset();
    },
  },
  {
    what: "in the middle of a fragmented message",
    clients: 1,
    start: async () => {
      const client = await RawClient.open(target);
      await client.sendFrame({ fin: false, opcode: Opcode.TEXT, payload: "first fragment, " });
      await client.sendRaw(
        encodeFrame({ opcode: Opcode.CONTINUATION, payload: "second fragment" }).subarray(0, 9),
      );
      return () => client.reset();
    },
  },
  {
    what: `while the server sends it a ${LARGE}-byte echo`,
    clients: 1,
    sent: 1,
    start: async (ctx) => {
      const client = await RawClient.open(target);
      client.pause(); // the echo piles up in the kernel buffers and the server's queue
      await client.sendBinary(binaryPayload(LARGE));
      // The firmware: until /status shows the echo queued; elsewhere a moment for it to start.
      if (!ctx.status) await delay(target.quietMs);
      return () => client.reset();
    },
  },
  {
    what: "right after its close frame, before the server's answer",
    clients: null,
    start: async () => {
      const client = await RawClient.open(target);
      return async () => {
        await client.sendClose(1000, "bye");
        client.reset();
      };
    },
  },
];

// All of them at once, reset together: four clients and two handshakes, with the bystander 7 TCP
// connections, one left for GET /status.
const SINGLE_FAULTS = [...FAULTS];
FAULTS.push({
  what: `of ${SINGLE_FAULTS.length} connections at once, each in one of the states above`,
  clients: null,
  start: async () => {
    const resets = [];
    for (const fault of SINGLE_FAULTS) resets.push(await fault.start({ status: false }));
    return () => Promise.all(resets.map((reset) => reset()));
  },
});

describe("connection resets", function () {
  this.timeout(target.timeoutMs);
  const bystander = useBystander();

  for (const fault of FAULTS) {
    const what = `a reset ${fault.what}`;

    it(`keeps serving the others after ${what}`, async function () {
      const reset = await fault.start({ status: false, bystander });
      await reset();
      await bystander().expectUnharmed(what);
    });

    it(`[firmware] after ${what}, /status lists only the bystander, which keeps echoing`, async function () {
      firmwareOnly(this, "needs the firmware's GET /status");
      const ctx = { status: true, bystander };
      const reset = await fault.start(ctx);
      if (fault.clients !== null) await registered(ctx, fault.clients, { sent: fault.sent });
      await reset();
      await bystander().expectAlone(what);
      await bystander().expectUnharmed(what);
    });
  }
});
