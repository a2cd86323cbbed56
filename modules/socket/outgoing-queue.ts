/*
 * Bytes waiting to be sent on one connection, a frame (or HTTP response) at a time, given to the
 * socket no faster than it takes them: on ESP32 `write()` throws "would block" beyond the free TCP
 * send buffer (TCP_SND_BUF, 8192 bytes), so the queue writes at most the space `onWritable`
 * reported and keeps the rest. Chunks are queued by reference, never copied.
 */
import type { BufferBudget } from "socket/buffer-budget";
import type { TcpSocket } from "socket/tcp-socket";

/**
 * A frame several queues hold (one broadcast): it costs the memory of one, and it is counted in
 * the buffer budget once, until the last queue has written it.
 */
export class SharedBytes {
  readonly bytes: number;
  holders = 0;

  constructor(bytes: number) {
    this.bytes = bytes;
  }
}

interface QueuedFrame {
  readonly chunks: Uint8Array[];
  readonly bytes: number;
  readonly shared: SharedBytes | null;
  counted: boolean; // in the budget (it was left waiting after a flush, or held)
  readonly continues: boolean; // more of the payload of the frame before it (pushMore)
}

export class OutgoingQueue {
  readonly #budget: BufferBudget;
  #frames: QueuedFrame[] | null = null; // none while idle
  #held: QueuedFrame[] | null = null; // pushed while a frame is open: sent once it is whole
  #open = 0; // payload bytes of the open frame still to come (0: none is open)
  #chunk = 0; // the chunk of the first frame being written
  #offset = 0; // bytes of that chunk already written
  #bytes = 0;
  #heldBytes = 0;
  #writable = 0;
  #broken = false;

  constructor(budget: BufferBudget) {
    this.#budget = budget;
  }

  /** Bytes queued that the socket can be given now (not those held behind an open frame). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Bytes held behind an open frame until it is whole. */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /**
   * True once a write returned nothing: the connection failed (every implementation returns the
   * free space after a write that worked). lwip reports the failure in onError as well; the
   * simulator's socket never does, so the connection must not wait for it.
   */
  get broken(): boolean {
    return this.#broken;
  }

  /**
   * Queues one frame (or one HTTP response) made of these chunks; `shared` when others hold it.
   * What is left waiting after a write is counted in the buffer budget until it is written (a
   * frame the socket took at once never was). `open`: the frame's payload has that many bytes more
   * to come, by pushMore() (an echo streamed as it is read); until it is whole, what else is pushed
   * is held behind it, and counted, since nothing may go on the wire inside a frame.
   */
  push(chunks: Uint8Array[], shared: SharedBytes | null = null, open = 0): void {
    let bytes = 0;
    for (const chunk of chunks) bytes += chunk.length;
    if (bytes === 0) return;
    const frame = { chunks, bytes, shared, counted: false, continues: false };
    if (this.#open > 0) {
      this.#count(frame); // it waits, however much room the socket has
      (this.#held ??= []).push(frame);
      this.#heldBytes += bytes;
      return;
    }
    (this.#frames ??= []).push(frame);
    this.#bytes += bytes;
    this.#open = open;
  }

  /** The next bytes of the open frame's payload; once it is whole, what was held goes behind it. */
  pushMore(bytes: Uint8Array): void {
    if (bytes.length > this.#open) throw new RangeError("more bytes than the open frame has left");
    if (bytes.length === 0) return;
    const frame = {
      chunks: [bytes],
      bytes: bytes.length,
      shared: null,
      counted: false,
      continues: true,
    };
    (this.#frames ??= []).push(frame);
    this.#bytes += bytes.length;
    this.#open -= bytes.length;
    const held = this.#held;
    if (this.#open > 0 || !held) return;
    for (const frame of held) this.#frames.push(frame);
    this.#bytes += this.#heldBytes;
    this.#held = null;
    this.#heldBytes = 0;
  }

  /**
   * Drops every frame not yet started, and what is held; the frame being written, if any, stays
   * whole as far as its payload was queued (an open one is not finished: what follows waits).
   */
  dropUnsent(): void {
    this.#dropHeld();
    const frames = this.#frames;
    if (!frames) return;
    let keep = this.#chunk > 0 || this.#offset > 0 ? 1 : 0;
    while (keep > 0 && keep < frames.length && frames[keep].continues) keep++;
    for (let i = keep; i < frames.length; i++) this.#release(frames[i]);
    if (keep < frames.length || keep === 0) this.#open = 0; // the open frame, unstarted, is gone
    this.#bytes = 0;
    for (let i = 0; i < keep; i++) this.#bytes += frames[i].bytes;
    this.#bytes -= keep ? this.#writtenOfFirst() : 0;
    frames.length = keep;
    if (!keep) this.#frames = null;
  }

  #dropHeld(): void {
    const held = this.#held;
    if (held) for (const frame of held) this.#release(frame);
    this.#held = null;
    this.#heldBytes = 0;
  }

  /** Records the free send space the socket reported in `onWritable`. */
  setWritable(count: number): void {
    this.#writable = count;
  }

  /**
   * Writes what fits in the send buffer and counts what is left waiting in the budget; the bytes
   * written (0: none, or nothing to write).
   */
  flush(socket: TcpSocket): number {
    const frames = this.#frames;
    let written = 0;
    while (frames && frames.length && this.#writable > 0) {
      const frame = frames[0];
      const chunk = frame.chunks[this.#chunk];
      const count = Math.min(this.#writable, chunk.length - this.#offset);
      const whole = this.#offset === 0 && count === chunk.length;
      const slice = whole ? chunk : chunk.subarray(this.#offset, this.#offset + count);
      let left: number | undefined;
      try {
        left = socket.write(slice);
      } catch {
        // "would block": the space we knew of is gone, wait for onWritable. ("not ready": the
        // peer is gone, and onError follows.)
        this.#writable = 0;
        break;
      }
      if (typeof left !== "number") {
        this.#broken = true;
        this.#writable = 0;
        break;
      }
      this.#writable = left;
      this.#bytes -= count;
      this.#offset += count;
      written += count;
      if (this.#offset < chunk.length) continue;
      this.#offset = 0;
      if (++this.#chunk < frame.chunks.length) continue;
      this.#chunk = 0;
      frames.shift();
      this.#release(frame);
    }
    if (frames && frames.length === 0) this.#frames = null;
    else if (frames) this.#countWaiting(frames);
    return written;
  }

  /** Counts the frames left waiting that are not counted yet. */
  #countWaiting(frames: QueuedFrame[]): void {
    for (const frame of frames) if (!frame.counted) this.#count(frame);
  }

  #count(frame: QueuedFrame): void {
    frame.counted = true;
    const shared = frame.shared;
    if (!shared) this.#budget.take(frame.bytes);
    else if (shared.holders++ === 0) this.#budget.take(shared.bytes);
  }

  /** Drops everything queued (the connection has ended). */
  clear(): void {
    this.#dropHeld();
    const frames = this.#frames;
    if (frames) for (const frame of frames) this.#release(frame);
    this.#frames = null;
    this.#open = 0;
    this.#chunk = 0;
    this.#offset = 0;
    this.#bytes = 0;
  }

  #writtenOfFirst(): number {
    const frame = (this.#frames as QueuedFrame[])[0];
    let written = this.#offset;
    for (let i = 0; i < this.#chunk; i++) written += frame.chunks[i].length;
    return written;
  }

  #release(frame: QueuedFrame): void {
    if (!frame.counted) return;
    const shared = frame.shared;
    if (!shared) this.#budget.give(frame.bytes);
    else if (--shared.holders === 0) this.#budget.give(shared.bytes);
  }
}
