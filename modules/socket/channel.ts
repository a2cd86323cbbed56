/*
 * One accepted TCP connection with its outgoing queue, as the HTTP session and then the WebSocket
 * connection use it: the socket's callbacks go to whoever owns the channel now (the session
 * hands the channel over on an upgrade), what is written waits in the queue for the send
 * buffer's space, and the connection ends in one place.
 *
 * Every socket callback runs inside a guard: an exception escaping it would abort XS and restart
 * the board, so the owner is told instead (and ends only this connection).
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
function channelReadable(this: TCP, count: number): void {
  const channel = channelOf(this);
  channel.lastInput = Date.now();
  channel.guarded(() => channel.owner.readable(count));
}
function channelWritable(this: TCP, count: number): void {
  channelOf(this).writable(count);
}
function channelError(this: TCP): void {
  const channel = channelOf(this);
  channel.guarded(() => channel.end()); // the client closed TCP, or it failed
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

  /** Bytes waiting to be sent. */
  get queuedBytes(): number {
    return this.#queue.bytes;
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
   * queued on other channels too (a broadcast), to be counted once.
   */
  write(chunks: Uint8Array[], shared: SharedBytes | null = null): void {
    if (this.#ended) return;
    this.#queue.push(chunks, shared);
    this.flush();
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
   * giving the client that long to close its side first (it may still be sending; closing a socket
   * with unread bytes resets it, which could destroy what was just written).
   */
  closeWhenFlushed(lingerMs = 0): void {
    this.#closeWhenFlushed = true;
    this.#lingerMs = lingerMs;
    this.#quietMs = 0;
    this.flush();
  }

  /**
   * Ends the connection once everything queued is written and the client has then sent nothing
   * for `quietMs` (what it sends meanwhile is its owner's to drop), or `lingerMs` after the write
   * at the most: for a connection the server fails, whose client may still be sending what it
   * sent before it read the close frame. Closing while its bytes still come would reset the
   * connection, which could destroy the close frame on its way; waiting all of `lingerMs` would
   * race the client's own timer.
   */
  closeWhenQuiet(quietMs: number, lingerMs: number): void {
    this.#closeWhenFlushed = true;
    this.#lingerMs = lingerMs;
    this.#quietMs = quietMs;
    this.flush();
  }

  flush(): void {
    if (this.#ended) return;
    const waited = this.#stalledSince !== 0;
    const written = this.#queue.flush(this.#socket);
    if (this.#queue.broken) return this.end(); // the client is gone
    if (this.#queue.bytes > 0) {
      if (written > 0 || !waited) this.#stalledSince = Date.now(); // it took some: not stalled
      return;
    }
    this.#stalledSince = 0;
    if (this.#closeWhenFlushed) {
      if (this.#lingerMs === 0) return this.end();
      if (this.#lingerTimer) return;
      this.#flushedAt = Date.now();
      if (this.#quietMs === 0) {
        this.#lingerTimer = Timer.set(() => this.guarded(() => this.end()), this.#lingerMs);
      } else {
        this.#lingerTimer = Timer.repeat(
          () => this.guarded(() => this.#endWhenQuiet()),
          this.#quietMs / 2,
        );
      }
    } else if (waited) this.owner.drained?.();
  }

  #endWhenQuiet(): void {
    const now = Date.now();
    const quiet = now - Math.max(this.lastInput, this.#flushedAt) >= this.#quietMs;
    if (quiet || now - this.#flushedAt >= this.#lingerMs) this.end();
  }

  /** Ends the connection now; the owner is told (once). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#lingerTimer) Timer.clear(this.#lingerTimer);
    this.#lingerTimer = null;
    this.#queue.clear();
    this.#dropUnread();
    this.#socket.close();
    this.owner.ended();
  }

  /** The socket has room for `count` more bytes (its onWritable). */
  writable(count: number): void {
    this.guarded(() => {
      this.#queue.setWritable(count);
      this.flush();
    });
  }

  /**
   * Reads and drops what the client sent that was not read (bytes after its close frame, in the
   * same segment): closing a socket with unread bytes resets the connection (lwip, and Linux),
   * which could destroy the close frame or response still on its way to the client.
   */
  #dropUnread(): void {
    try {
      this.#socket.read();
    } catch {
      // the socket is already gone
    }
  }

  /** Runs `callback` as the socket's callbacks run: an exception goes to the owner's fault(). */
  guarded(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      try {
        this.owner.fault(error);
      } catch {
        this.end();
      }
    }
  }
}
