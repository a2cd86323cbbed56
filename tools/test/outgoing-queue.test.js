// Unit tests of the firmware's outgoing queue (modules/websocket/outgoing-queue.ts), compiled.
import { expect } from "chai";
import { firmwareModule } from "./firmware-modules.js";

const { OutgoingQueue } = await firmwareModule("socket/outgoing-queue");

/** A socket with `space` bytes of send buffer that records what is written. */
function fakeSocket(space, { fails = false } = {}) {
  const written = [];
  return {
    written,
    write(bytes) {
      if (fails) return undefined; // what every implementation returns after a failed write
      if (bytes.length > space) throw new Error("would block");
      space -= bytes.length;
      written.push([...bytes]);
      return space;
    },
  };
}

describe("firmware outgoing queue", () => {
  it("writes no more than the space it was told of, and the rest after onWritable", () => {
    const queue = new OutgoingQueue();
    queue.push([Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5)]);
    queue.setWritable(4);
    const socket = fakeSocket(4);
    expect(queue.flush(socket), "all written").to.equal(false);
    expect(socket.written).to.deep.equal([[1, 2, 3], [4]]);
    expect(queue.bytes).to.equal(1);
    queue.setWritable(10);
    expect(queue.flush(fakeSocket(10))).to.equal(true);
    expect(queue.broken).to.equal(false);
  });

  it("drops the frames not yet started, never the one being written", () => {
    const queue = new OutgoingQueue();
    queue.push([Uint8Array.of(1, 2, 3, 4)]);
    queue.push([Uint8Array.of(5), Uint8Array.of(6)]);
    queue.setWritable(2);
    queue.flush(fakeSocket(2));
    queue.dropUnsent();
    expect(queue.bytes, "the rest of the frame begun").to.equal(2);
  });

  it("counts as waiting only what is queued behind the frame being written", () => {
    const queue = new OutgoingQueue();
    queue.push([new Uint8Array(4), new Uint8Array(30000)]); // a large frame: header, payload
    queue.push([new Uint8Array(7)]);
    expect(queue.waitingBytes, "before any write").to.equal(7);
    queue.setWritable(8192);
    queue.flush(fakeSocket(8192));
    expect(queue.bytes, "left of the large frame, and the next").to.equal(30004 - 8192 + 7);
    expect(queue.waitingBytes, "behind it").to.equal(7);
  });

  it("is broken once a write returns nothing (the simulator's socket after a reset)", () => {
    const queue = new OutgoingQueue();
    queue.push([Uint8Array.of(1, 2)]);
    queue.setWritable(100);
    expect(queue.flush(fakeSocket(100, { fails: true }))).to.equal(false);
    expect(queue.broken).to.equal(true);
  });
});
