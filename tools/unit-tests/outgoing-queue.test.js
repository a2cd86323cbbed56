// Unit tests of the firmware's outgoing queue (modules/socket/outgoing-queue.ts) and the buffer
// budget it counts its bytes in (modules/socket/buffer-budget.ts), compiled.
import { expect } from "chai";
import { firmwareModule } from "./firmware-modules.js";

const { OutgoingQueue, SharedBytes } = await firmwareModule("socket/outgoing-queue");
const { BufferBudget } = await firmwareModule("socket/buffer-budget");

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
    const queue = new OutgoingQueue(new BufferBudget(1000));
    queue.push([Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5)]);
    queue.setWritable(4);
    const socket = fakeSocket(4);
    expect(queue.flush(socket), "bytes written").to.equal(4);
    expect(socket.written).to.deep.equal([[1, 2, 3], [4]]);
    expect(queue.bytes, "not all written").to.equal(1);
    queue.setWritable(10);
    expect(queue.flush(fakeSocket(10))).to.equal(1);
    expect(queue.bytes, "all written").to.equal(0);
    expect(queue.broken).to.equal(false);
  });

  it("drops the frames not yet started, never the one being written", () => {
    const queue = new OutgoingQueue(new BufferBudget(1000));
    queue.push([Uint8Array.of(1, 2, 3, 4)]);
    queue.push([Uint8Array.of(5), Uint8Array.of(6)]);
    queue.setWritable(2);
    queue.flush(fakeSocket(2));
    queue.dropUnsent();
    expect(queue.bytes, "the rest of the frame begun").to.equal(2);
  });

  it("holds what is pushed while a frame is open, counted in the budget, until its payload is whole", () => {
    const budget = new BufferBudget(100000);
    const queue = new OutgoingQueue(budget);
    queue.push([Uint8Array.of(0x82, 4), Uint8Array.of(1)], null, 3); // 1 of 4 payload bytes
    queue.push([Uint8Array.of(0x89, 0)]); // a ping: not inside the frame
    expect(queue.bytes, "what the socket may take now").to.equal(3);
    expect(queue.heldBytes).to.equal(2);
    expect(budget.held, "the held ping counts").to.equal(2);
    queue.setWritable(100);
    const socket = fakeSocket(100);
    queue.flush(socket);
    queue.pushMore(Uint8Array.of(2, 3));
    queue.flush(socket);
    expect(queue.heldBytes, "still open").to.equal(2);
    queue.pushMore(Uint8Array.of(4));
    expect(() => queue.pushMore(Uint8Array.of(5)), "more than the frame has").to.throw(RangeError);
    queue.flush(socket);
    expect(socket.written.flat()).to.deep.equal([0x82, 4, 1, 2, 3, 4, 0x89, 0]);
    expect(queue.bytes + queue.heldBytes).to.equal(0);
    expect(budget.held, "all given back").to.equal(0);
  });

  it("keeps an open frame begun on the wire when dropping the unsent, and drops one not begun", () => {
    const queue = new OutgoingQueue(new BufferBudget(1000));
    queue.push([Uint8Array.of(0x82, 4, 1, 2)], null, 2);
    queue.setWritable(1);
    queue.flush(fakeSocket(1));
    queue.pushMore(Uint8Array.of(3));
    queue.push([Uint8Array.of(0x88, 0)]); // held
    queue.dropUnsent();
    expect(queue.bytes, "the begun frame's rest stays").to.equal(4);
    expect(queue.heldBytes).to.equal(0);
    const fresh = new OutgoingQueue(new BufferBudget(1000));
    fresh.push([Uint8Array.of(0x82, 4, 1)], null, 3);
    fresh.dropUnsent();
    fresh.push([Uint8Array.of(0x88, 0)]);
    expect(fresh.bytes, "nothing open any more: the close frame can go").to.equal(2);
  });

  it("is broken once a write returns nothing (the simulator's socket after a reset)", () => {
    const queue = new OutgoingQueue(new BufferBudget(1000));
    queue.push([Uint8Array.of(1, 2)]);
    queue.setWritable(100);
    expect(queue.flush(fakeSocket(100, { fails: true }))).to.equal(0);
    expect(queue.broken).to.equal(true);
  });

  it("holds in the budget what a flush leaves waiting, until it is written, dropped or cleared", () => {
    const budget = new BufferBudget(1000);
    const queue = new OutgoingQueue(budget);
    queue.setWritable(12);
    queue.push([new Uint8Array(10)]);
    queue.flush(fakeSocket(12));
    expect(budget.held, "a frame the socket took at once was never held").to.equal(0);
    queue.push([new Uint8Array(20), new Uint8Array(5)]);
    queue.push([new Uint8Array(40)]);
    expect(budget.held, "not counted before a flush").to.equal(0);
    queue.flush(fakeSocket(2));
    expect(budget.held, "left waiting: the second begun, the third").to.equal(65);
    queue.setWritable(15);
    queue.flush(fakeSocket(15));
    expect(budget.held, "the second written on").to.equal(65);
    queue.dropUnsent();
    expect(budget.held, "the third dropped").to.equal(25);
    queue.clear();
    expect(budget.held).to.equal(0);
    expect(budget.peak).to.equal(65);
  });

  it("counts a frame several queues leave waiting once, until the last has written it", () => {
    const budget = new BufferBudget(1000);
    const queues = [1, 2, 3].map(() => new OutgoingQueue(budget));
    const frame = [new Uint8Array(2), new Uint8Array(100)];
    const shared = new SharedBytes(102);
    for (const queue of queues) {
      queue.push(frame, shared);
      queue.flush(fakeSocket(0));
    }
    expect(budget.held).to.equal(102);
    for (const [i, queue] of queues.entries()) {
      queue.setWritable(200);
      queue.flush(fakeSocket(200));
      expect(budget.held, `after queue ${i + 1}`).to.equal(i < 2 ? 102 : 0);
    }
  });
});

describe("firmware buffer budget", () => {
  it("fits what is under its limit, and tells its waiters once bytes come back", async () => {
    const budget = new BufferBudget(100);
    expect(budget.fits(100)).to.equal(true);
    budget.take(60);
    expect(budget.fits(41)).to.equal(false);
    const told = [];
    const waiter = { roomMade: () => told.push("room") };
    budget.wait(waiter);
    budget.wait(waiter);
    budget.give(10);
    expect(told, "not inside the give").to.deep.equal([]);
    await Promise.resolve();
    expect(told, "once, after it").to.deep.equal(["room"]);
    budget.wait(waiter);
    budget.forget(waiter);
    budget.give(10);
    await Promise.resolve();
    expect(told, "a forgotten waiter is not told").to.deep.equal(["room"]);
    expect(budget.held).to.equal(40);
  });
});
