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
import { OutgoingQueue } from "socket/outgoing-queue";
import type { TcpSocket } from "socket/tcp-socket";

/** What the channel tells its owner. */
export interface ChannelOwner {
  /** `available` bytes can be read. */
  readable(available: number): void;
  /** The connection has ended (the peer closed or reset it, or the owner ended it). */
  ended(): void;
  /** An exception escaped one of the owner's callbacks. */
  fault(error: unknown): void;
}

export class SocketChannel {
  owner: ChannelOwner;
  readonly remoteAddress: string;
  readonly #socket: TcpSocket;
  readonly #queue = new OutgoingQueue();
  #closeWhenFlushed = false;
  #lingerMs = 0;
  #lingerTimer: Timer | null = null;
  #ended = false;

  constructor(from: TCP, owner: ChannelOwner) {
    this.owner = owner;
    this.#socket = new TCP({
      from,
      nodelay: true, // answer small messages now, not after Nagle and delayed ACK
      onReadable: (count: number) => this.guarded(() => this.owner.readable(count)),
      onWritable: (count: number) => this.guarded(() => this.#writable(count)),
      onError: () => this.guarded(() => this.end()), // the client closed TCP, or it failed
    }) as unknown as TcpSocket;
    this.remoteAddress = this.#socket.remoteAddress ?? "";
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Bytes waiting to be sent. */
  get queuedBytes(): number {
    return this.#queue.bytes;
  }

  /** Bytes of the frames queued behind the one being written. */
  get waitingBytes(): number {
    return this.#queue.waitingBytes;
  }

  /** The socket's reads: every byte available, `count` of them, or into a buffer. */
  read(): ArrayBuffer | undefined;
  read(count: number): ArrayBuffer;
  read(into: Uint8Array): number;
  read(what?: number | Uint8Array): ArrayBuffer | number | undefined {
    if (what === undefined) return this.#socket.read();
    return this.#socket.read(what as number);
  }

  /** Queues one frame or response (its chunks) and writes what fits. */
  write(chunks: Uint8Array[]): void {
    if (this.#ended) return;
    this.#queue.push(chunks);
    this.flush();
  }

  /** Drops every queued frame not yet started (the one being written stays whole). */
  dropUnsent(): void {
    this.#queue.dropUnsent();
  }

  /**
   * Ends the connection once everything queued is written: at once, or, with `lingerMs`, after
   * giving the client that long to close its side first (it may still be sending; closing a socket
   * with unread bytes resets it, which could destroy what was just written).
   */
  closeWhenFlushed(lingerMs = 0): void {
    this.#closeWhenFlushed = true;
    this.#lingerMs = lingerMs;
    this.flush();
  }

  flush(): void {
    if (this.#ended) return;
    const empty = this.#queue.flush(this.#socket);
    if (this.#queue.broken) return this.end(); // the client is gone
    if (!empty || !this.#closeWhenFlushed) return;
    if (this.#lingerMs === 0) return this.end();
    this.#lingerTimer ??= Timer.set(() => this.guarded(() => this.end()), this.#lingerMs);
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

  #writable(count: number): void {
    this.#queue.setWritable(count);
    this.flush();
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
