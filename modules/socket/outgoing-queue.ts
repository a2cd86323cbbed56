/*
 * Bytes waiting to be sent on one connection, a frame (or HTTP response) at a time.
 *
 * On ESP32, `write()` throws "would block" when given more than the free TCP send buffer
 * (TCP_SND_BUF, 8192 bytes by default); the socket reports space again in `onWritable`. The
 * queue therefore writes at most the space it was told about, in slices, and keeps the rest
 * until the next `onWritable`. Chunks are queued by reference, never copied, so one broadcast
 * frame can sit in many clients' queues at the cost of one.
 *
 * What is left waiting after a write is counted in the server's buffer budget until it is written:
 * a frame the socket took at once was never held; a broadcast frame is counted once (SharedBytes),
 * until the last queue has written it.
 */
import type { BufferBudget } from "socket/buffer-budget";
import type { TcpSocket } from "socket/tcp-socket";

/** A frame several queues hold (one broadcast): counted once, until the last one wrote it. */
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
  counted: boolean; // in the budget (it was left waiting after a flush)
}

export class OutgoingQueue {
  readonly #budget: BufferBudget;
  #frames: QueuedFrame[] | null = null; // none while idle
  #chunk = 0; // the chunk of the first frame being written
  #offset = 0; // bytes of that chunk already written
  #bytes = 0;
  #writable = 0;
  #broken = false;

  constructor(budget: BufferBudget) {
    this.#budget = budget;
  }

  /** Bytes queued and not yet handed to the socket. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Bytes of the frames queued behind the first one (the one being written, or next to be). */
  get waitingBytes(): number {
    const frames = this.#frames;
    let waiting = 0;
    if (frames) for (let i = 1; i < frames.length; i++) waiting += frames[i].bytes;
    return waiting;
  }

  /**
   * True once a write returned nothing: the connection failed (every implementation returns the
   * free space after a write that worked). lwip reports the failure in onError as well; the
   * simulator's socket never does, so the connection must not wait for it.
   */
  get broken(): boolean {
    return this.#broken;
  }

  /** Queues one frame (or one HTTP response) made of these chunks; `shared` when others hold it. */
  push(chunks: Uint8Array[], shared: SharedBytes | null = null): void {
    let bytes = 0;
    for (const chunk of chunks) bytes += chunk.length;
    if (bytes === 0) return;
    (this.#frames ??= []).push({ chunks, bytes, shared, counted: false });
    this.#bytes += bytes;
  }

  /** Drops every frame not yet started; the frame being written, if any, stays whole. */
  dropUnsent(): void {
    const frames = this.#frames;
    if (!frames) return;
    const keep = this.#chunk > 0 || this.#offset > 0 ? 1 : 0;
    for (let i = keep; i < frames.length; i++) this.#release(frames[i]);
    frames.length = keep;
    this.#bytes = keep ? frames[0].bytes - this.#writtenOfFirst() : 0;
    if (!keep) this.#frames = null;
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

  /** Counts the frames queued since the last flush (at the end: the others are counted). */
  #countWaiting(frames: QueuedFrame[]): void {
    for (let i = frames.length - 1; i >= 0 && !frames[i].counted; i--) {
      const frame = frames[i];
      frame.counted = true;
      const shared = frame.shared;
      if (!shared) this.#budget.take(frame.bytes);
      else if (shared.holders++ === 0) this.#budget.take(shared.bytes);
    }
  }

  /** Drops everything queued (the connection has ended). */
  clear(): void {
    const frames = this.#frames;
    if (frames) for (const frame of frames) this.#release(frame);
    this.#frames = null;
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
