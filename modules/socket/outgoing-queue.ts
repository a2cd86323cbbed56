/*
 * Bytes waiting to be sent on one connection.
 *
 * On ESP32, `write()` throws "would block" when given more than the free TCP send buffer
 * (TCP_SND_BUF, 8192 bytes by default); the socket reports space again in `onWritable`. The
 * queue therefore writes at most the space it was told about, in slices, and keeps the rest
 * until the next `onWritable`. Chunks are queued by reference, never copied, so one broadcast
 * frame can sit in many clients' queues at the cost of one.
 */
import type { TcpSocket } from "socket/tcp-socket";

export class OutgoingQueue {
  #chunks: Uint8Array[] = [];
  #startsFrame: boolean[] = []; // whether each chunk is the first of a frame (or HTTP response)
  #offset = 0; // bytes of the first chunk already written
  #bytes = 0;
  #writable = 0;
  #broken = false;

  /** Bytes queued and not yet handed to the socket. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Bytes of the frames queued behind the first one (the one being written, or next to be). */
  get waitingBytes(): number {
    let waiting = 0;
    for (let i = this.#secondFrame(); i < this.#chunks.length; i++)
      waiting += this.#chunks[i].length;
    return waiting;
  }

  /** Index of the first chunk of the second frame queued (the number of chunks if none). */
  #secondFrame(): number {
    let index = Math.min(1, this.#chunks.length);
    while (index < this.#chunks.length && !this.#startsFrame[index]) index++;
    return index;
  }

  /** Queues one frame (or one HTTP response) made of these chunks. */
  push(chunks: Uint8Array[]): void {
    let first = true;
    for (const chunk of chunks) {
      if (chunk.length === 0) continue;
      this.#chunks.push(chunk);
      this.#startsFrame.push(first);
      this.#bytes += chunk.length;
      first = false;
    }
  }

  /** Drops every frame not yet started; the frame being written, if any, stays whole. */
  dropUnsent(): void {
    const started = this.#offset > 0 || !this.#startsFrame[0];
    const keep = started ? this.#secondFrame() : 0;
    for (let i = keep; i < this.#chunks.length; i++) this.#bytes -= this.#chunks[i].length;
    this.#chunks.length = keep;
    this.#startsFrame.length = keep;
  }

  /**
   * True once a write returned nothing: the connection failed (every implementation returns the
   * free space after a write that worked). lwip reports the failure in onError as well; the
   * simulator's socket never does, so the connection must not wait for it.
   */
  get broken(): boolean {
    return this.#broken;
  }

  /** Records the free send space the socket reported in `onWritable`. */
  setWritable(count: number): void {
    this.#writable = count;
  }

  /** Writes what fits in the send buffer; true when nothing is left queued. */
  flush(socket: TcpSocket): boolean {
    while (this.#chunks.length && this.#writable > 0) {
      const chunk = this.#chunks[0];
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
      if (this.#offset === chunk.length) {
        this.#chunks.shift();
        this.#startsFrame.shift();
        this.#offset = 0;
      }
    }
    return this.#chunks.length === 0;
  }

  clear(): void {
    this.#chunks = [];
    this.#startsFrame = [];
    this.#offset = 0;
    this.#bytes = 0;
  }
}
