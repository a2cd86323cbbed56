// embedded:io/socket/tcp and listener on the platform layer (both engines): the ESP32 (lwip) semantics,
// checked with real sockets against the fixture firmware fixtures/platform-sockets.
import { expect } from "chai";
import net from "node:net";
import {
  connectClient,
  logLines,
  forEachEngine,
  startFixture,
  waitForLog,
  waitUntil,
} from "./platform-support.js";

describe("platform: TCP sockets (lwip semantics)", function () {
  this.timeout(15_000);
  forEachEngine((engine) => {
    let firmware;
    const clients = [];

    async function start(mode, env, more = []) {
      firmware = await startFixture("sockets", {
        overrides: ["port=0", `mode=${mode}`, ...more],
        env,
        engine,
      });
      return firmware;
    }

    async function client() {
      const made = await connectClient(firmware.port);
      clients.push(made);
      return made;
    }

    /** How a connection the firmware should refuse ends (the reset may beat the connect). */
    function refusedOutcome() {
      return client().then(
        (made) => made.ended,
        (error) => `error ${error.code}`,
      );
    }

    afterEach(async () => {
      for (const { socket } of clients.splice(0)) socket.destroy();
      await firmware?.stop();
      firmware = undefined;
    });

    it("read() takes everything, read(n) n bytes, read(buffer) fills it; too many throws", async () => {
      await start("read");
      const { socket } = await client();
      socket.write("0123456789");
      await waitForLog(firmware, /^remoteAddress/); // the last line: output may come in pieces
      expect(logLines(firmware).slice(1)).to.deep.equal([
        "onReadable 10",
        "read(3) ok buffer:012",
        'read(100) throws Error "invalid"',
        'read(0) throws Error "invalid"',
        "read(Uint8Array(2)) ok 2:34",
        "read() ok buffer:56789",
        "read() again ok undefined",
        "remoteAddress ok 127.0.0.1",
      ]);
    });

    it('write() throws "would block" past the 8192-byte send buffer; onWritable reports space', async () => {
      await start("write");
      const { received } = await client();
      await waitForLog(firmware, /^write\(DataView/);
      // the space comes back once the client has read the 8192 bytes: on a busy machine, later
      const spaceBack = () => logLines(firmware).filter((line) => line === "onWritable 8192");
      await waitUntil(() => spaceBack().length >= 2, { describe: () => firmware.output() });
      const lines = logLines(firmware);
      expect(lines).to.include.members([
        "write(8192 view at offset 16) ok 0",
        'write(1 more byte) throws Error "would block"',
        "write(DataView of 1 byte) ok 8191",
      ]);
      expect(lines.filter((line) => line === "onWritable 8192")).to.have.length.of.at.least(2);
      const expected = Buffer.alloc(8193);
      for (let i = 0; i < 8192; i++) expected[i] = 0x41 + ((i + 16) % 26);
      expected[8192] = 0x21;
      await waitUntil(() => received().length >= expected.length);
      expect(received().equals(expected)).to.equal(true);
    });

    it("onError after the peer closes comes only once the received bytes are read", async () => {
      await start("lazy");
      const { socket } = await client();
      socket.end("abc");
      await waitForLog(firmware, /^read after close/);
      const lines = logLines(firmware).slice(1);
      expect(lines).to.deep.equal([
        "onReadable 3",
        "read() later ok buffer:abc",
        "onError",
        'write after error throws Error "not ready"',
        'read after close throws SyntaxError "C: xsGetHostData: invalid host data"',
      ]);
    });

    it("close() with received bytes unread resets the connection, dropping queued writes", async () => {
      await start("close-unread");
      const { socket, received, ended } = await client();
      socket.write("hello");
      expect(await ended).to.equal("error ECONNRESET");
      expect(received().toString()).to.equal("");
    });

    it("close() after reading everything sends the queued bytes, then FIN", async () => {
      await start("close-read");
      const { socket, received, ended } = await client();
      socket.write("hello");
      expect(await ended).to.equal("end");
      expect(received().toString()).to.equal("bye");
    });

    it("holds at most 8192 unread bytes (TCP_WND) and delivers at most one MSS per turn", async () => {
      await start("window");
      const { socket } = await client();
      socket.write(Buffer.alloc(50_000, 0x61));
      const last = await waitForLog(firmware, /^drained 50000 /, 10_000);
      const largest = Number(/largest (\d+)/.exec(last)[1]);
      expect(largest).to.equal(8192);
      const first = logLines(firmware).find((line) => line.startsWith("first "));
      expect(Number(first.split(" ")[1])).to.be.at.most(1436);
    });

    it("resets a ninth connection when CONFIG_LWIP_MAX_ACTIVE_TCP=8 are in use", async () => {
      await start("hold");
      for (let i = 0; i < 8; i++) await client();
      await waitForLog(firmware, /^accepted 8 /);
      expect(await refusedOutcome()).to.match(/^(error ECONNRESET|end|close)$/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(logLines(firmware).filter((line) => line.startsWith("accepted"))).to.have.length(8);
    });

    it("takes the limit from MODDABLE_NODE_MAX_TCP", async () => {
      await start("hold", { MODDABLE_NODE_MAX_TCP: "2" });
      await client();
      await client();
      await waitForLog(firmware, /^accepted 2 /);
      expect(await refusedOutcome()).to.match(/^(error ECONNRESET|end|close)$/);
    });

    it("counts the listener and each TCP in Instrumentation 'Network Sockets'", async () => {
      await start("hold");
      await client();
      await waitForLog(firmware, /^accepted 1 /);
      await client();
      await waitForLog(firmware, /^accepted 2 /);
      const counts = logLines(firmware)
        .filter((line) => line.startsWith("accepted"))
        .map((line) => line.split(" ").slice(-1)[0]);
      expect(counts).to.deep.equal(["2", "3"]);
    });

    it('connects out: "not ready" until connected, then onWritable, data, onError on close', async () => {
      const server = net.createServer((socket) => {
        socket.once("data", (data) => socket.end(`echo:${data}`));
      });
      await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        await start("client", undefined, [`target=${server.address().port}`]);
        await waitForLog(firmware, /^client onError/);
        const lines = logLines(firmware).filter((line) => line.startsWith("client"));
        // onWritable comes again when the peer has taken the bytes, and a pending onWritable is
        // delivered after onReadable when both are due (tcpDeliver's order): keep the first one
        const runs = lines.filter(
          (line, i) => !line.startsWith("client onWritable") || lines.indexOf(line) === i,
        );
        expect(runs).to.deep.equal([
          'client write before connect throws Error "not ready"',
          "client onWritable 8192",
          "client read buffer:echo:hello",
          "client onError",
        ]);
      } finally {
        server.close();
      }
    });

    it("reports a refused outgoing connection with onError", async () => {
      const server = net.createServer();
      await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = server.address().port;
      await new Promise((resolve) => server.close(resolve));
      await start("client", undefined, [`target=${port}`]);
      await waitForLog(firmware, /^client onError/);
      expect(logLines(firmware).some((line) => line.startsWith("client onWritable"))).to.equal(
        false,
      );
    });

    it("stops like a panicking ESP32 when remoteAddress is read after a reset", async () => {
      await start("address-after-reset");
      const { socket } = await client();
      socket.write("x");
      await waitUntil(() => firmware.output().includes("accepted 1"));
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.resetAndDestroy();
      const { code } = await firmware.exited;
      expect(code).to.equal(1);
      expect(firmware.errors()).to.match(
        /^ESP32 panic \(emulated\): TCP remoteAddress read after/m,
      );
      expect(logLines(firmware).some((line) => line.startsWith("address"))).to.equal(false);
    });

    it("aborts the process like XS when a socket callback throws", async () => {
      await start("throw");
      const { socket } = await client();
      socket.write("x");
      const { code } = await firmware.exited;
      expect(code).to.equal(1);
      expect(firmware.errors()).to.match(/^XS abort: unhandled exception boom in onReadable$/m);
    });
  });
});
