/*
 * One accepted TCP connection with its outgoing queue, as the HTTP session and then the WebSocket
 * connection use it: the socket's callbacks go to whoever owns the channel now, each inside a guard
 * (see guarded), what is written waits in the queue for the send buffer's space, and the
 * connection ends in one place (see end).
 */
import TCP from "embedded:io/socket/tcp";
import Timer from "timer";
import type { BufferBudget } from "socket/buffer-budget";
import { OutgoingQueue, type SharedBytes } from "socket/outgoing-queue";
import type { TcpSocket } from "socket/tcp-socket";

/** What the channel tells its owner. */
export interface ChannelOwner {
  /** `available` bytes can be read. */
  readable(available: number): void;
  /** The connection has ended (the peer closed or reset it, or the owner ended it). */
  ended(): void;
  /** An exception escaped one of the owner's callbacks. */
  fault(error: unknown): void;
  /** Everything queued has been handed to the socket (after some had to wait). */
  drained?(): void;
}

// The socket's callbacks, shared by every channel: ECMA-419 calls them with `this` the socket, and
// the socket's `target` is its channel (no closures per connection: each costs the board heap).
const channelOf = (socket: TCP) => (socket as unknown as { target: SocketChannel }).target;
// Each calls its owner at the bottom of the stack, with no frame between but a try.
function channelReadable(this: TCP, count: number): void {
  const channel = channelOf(this);
  channel.lastInput = Date.now();
  try {
    channel.owner.readable(count);
  } catch (error) {
    channel.failed(error);
  }
}
function channelWritable(this: TCP, count: number): void {
  const channel = channelOf(this);
  try {
    if (channel.writable(count)) channel.owner.drained?.();
  } catch (error) {
    channel.failed(error);
  }
}
function channelError(this: TCP): void {
  channelOf(this).end(); // the client closed TCP, or it failed
}

export class SocketChannel {
  owner: ChannelOwner;
  readonly remoteAddress: string;
  readonly #socket: TcpSocket;
  readonly #queue: OutgoingQueue;
  #stalledSince = 0; // when bytes began to wait with none taken since (0: none waiting)
  #closeWhenFlushed = false;
  #lingerMs = 0;
  #quietMs = 0;
  #flushedAt = 0;
  #lingerTimer: Timer | null = null;
  /** When the client last sent something (its socket became readable). */
  lastInput = 0;
  #ending = false; // end() was asked: nothing more is written, the teardown is on its way
  #ended = false;

  /** `budget` counts every byte queued here, with every other channel's. */
  constructor(from: TCP, owner: ChannelOwner, budget: BufferBudget) {
    this.owner = owner;
    this.#queue = new OutgoingQueue(budget);
    this.#socket = new TCP({
      from,
      nodelay: true, // answer small messages now, not after Nagle and delayed ACK
      target: this,
      onReadable: channelReadable,
      onWritable: channelWritable,
      onError: channelError,
    }) as unknown as TcpSocket;
    this.remoteAddress = this.#socket.remoteAddress ?? "";
  }

  /** Bytes waiting to be sent that the socket can be given now. */
  get queuedBytes(): number {
    return this.#queue.bytes;
  }

  /** Bytes waiting to be sent in all, those held behind a frame not yet whole included. */
  get waitingBytes(): number {
    return this.#queue.bytes + this.#queue.heldBytes;
  }

  /** How long bytes have waited here with the client taking none of them (0: none waiting). */
  stalledFor(now: number): number {
    return this.#stalledSince ? now - this.#stalledSince : 0;
  }

  /** The socket's reads: every byte available, `count` of them, or into a buffer. */
  read(): ArrayBuffer | undefined;
  read(count: number): ArrayBuffer;
  read(into: Uint8Array): number;
  read(what?: number | Uint8Array): ArrayBuffer | number | undefined {
    if (what === undefined) return this.#socket.read();
    return this.#socket.read(what as number);
  }

  /**
   * Queues one frame or response (its chunks) and writes what fits. `shared`: the same chunks are
   * queued on other channels too (a broadcast), to be counted once. `open`: the frame's payload has
   * that many bytes more to come (writeMore).
   */
  write(chunks: Uint8Array[], shared: SharedBytes | null = null, open = 0): void {
    if (this.#ending) return;
    this.#queue.push(chunks, shared, open);
    this.#written();
  }

  /** The next bytes of the payload of the frame written `open`. */
  writeMore(bytes: Uint8Array): void {
    if (this.#ending) return;
    this.#queue.pushMore(bytes);
    this.#written();
  }

  #written(): void {
    // What waited goes only once the socket reports space (writable), so this is not expected to
    // drain it; if it does, the owner hears so after its callback, not inside it.
    if (this.#flush()) Promise.resolve().then(() => this.guarded(() => this.owner.drained?.()));
  }

  /**
   * Drops every queued frame not yet started (the one being written stays whole). The stall
   * clock starts again: what is queued next (a close frame) is timed on its own.
   */
  dropUnsent(): void {
    this.#queue.dropUnsent();
    if (this.#stalledSince) this.#stalledSince = Date.now();
  }

  /**
   * Ends the connection once everything queued is written: at once, or, with `lingerMs`, after
   * giving the client that long to close its side first (it may still be sending: see #dropUnread).
   */
  closeWhenFlushed(lingerMs = 0): void {
    this.#closeWhenFlushed = true;
    this.#lingerMs = lingerMs;
    this.#quietMs = 0;
    this.#flush();
  }

  /**
   * Ends the connection once everything queued is written and the client has then sent nothing
   * for `quietMs` (what it sends meanwhile is its owner's to drop), or `lingerMs` after the write
   * at the most: for a connection the server fails, whose client may still be sending what it
   * sent before it read the close frame (see #dropUnread); waiting all of `lingerMs` would race
   * the client's own timer.
   */
  closeWhenQuiet(quietMs: number, lingerMs: number): void {
    this.#closeWhenFlushed = true;
    this.#lingerMs = lingerMs;
    this.#quietMs = quietMs;
    this.#flush();
  }

  /**
   * Writes what the send buffer takes; true when that emptied a queue that had to wait, and the
   * owner may go on (read again): it is told by the caller, not from in here.
   */
  #flush(): boolean {
    if (this.#ending) return false;
    const waited = this.#stalledSince !== 0;
    const written = this.#queue.flush(this.#socket);
    if (this.#queue.broken) {
      this.end(); // the client is gone
      return false;
    }
    if (this.#queue.bytes > 0) {
      if (written > 0 || !waited) this.#stalledSince = Date.now(); // it took some: not stalled
      return false;
    }
    this.#stalledSince = 0;
    if (!this.#closeWhenFlushed) return waited;
    if (this.#lingerMs === 0) this.end();
    else if (!this.#lingerTimer) {
      this.#flushedAt = Date.now();
      this.#lingerTimer =
        this.#quietMs === 0
          ? Timer.set(() => this.end(), this.#lingerMs)
          : Timer.repeat(() => this.guarded(() => this.#endWhenQuiet()), this.#quietMs / 2);
    }
    return false;
  }

  #endWhenQuiet(): void {
    const now = Date.now();
    const quiet = now - Math.max(this.lastInput, this.#flushedAt) >= this.#quietMs;
    if (quiet || now - this.#flushedAt >= this.#lingerMs) this.end();
  }

  /**
   * Ends the connection: nothing more is written from now on, and the socket is closed and the
   * owner told (once) in a promise job, never inside the call that decided it: a write that finds
   * the client gone (inside a broadcast, say) only records it, and the teardown (the owner's
   * ended(), and the application's onClose after it) runs at the bottom of the board's stack. The
   * stack a client can make the board use is then the same whatever the clients do.
   */
  end(): void {
    if (this.#ending) return;
    this.#ending = true;
    Promise.resolve().then(() => this.guarded(() => this.#close()));
  }

  #close(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#lingerTimer) Timer.clear(this.#lingerTimer);
    this.#lingerTimer = null;
    this.#queue.clear();
    this.#dropUnread();
    this.#socket.close();
    this.owner.ended();
  }

  /**
   * The socket has room for `count` more bytes (its onWritable): writes what waits; true when
   * all of it went (see #flush).
   */
  writable(count: number): boolean {
    this.#queue.setWritable(count);
    return this.#flush();
  }

  /**
   * Reads and drops what the client sent that was not read (bytes after its close frame, in the
   * same segment). Why a closing connection waits for the client's bytes to stop: closing a socket
   * with unread bytes resets the connection (lwip, and Linux), which could destroy the close frame
   * or response still on its way to the client.
   */
  #dropUnread(): void {
    try {
      this.#socket.read();
    } catch {
      // the socket is already gone
    }
  }

  /**
   * Runs `callback` as the socket's callbacks run: an exception escaping it would abort XS and
   * restart the board, so it goes to the owner's fault() instead (which ends only this connection).
   */
  guarded(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.failed(error);
    }
  }

  /** An exception escaped the owner's code: the owner is told; if that throws too, it ends. */
  failed(error: unknown): void {
    try {
      this.owner.fault(error);
    } catch {
      this.end();
    }
  }
}
