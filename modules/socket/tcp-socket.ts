/*
 * The part of the ECMA-419 TCP socket (`embedded:io/socket/tcp`) that the server uses, with the
 * return values of Moddable's implementations (lwip on ESP32, and the simulators): `read()`
 * gives every available byte or undefined, `read(n)` n of them, `read(buffer)` fills it, `write()` gives the free send space left, and throws
 * "would block" when the buffer is larger than that space.
 */
export interface TcpSocket {
  /** Everything available; `count` bytes (throws if fewer are there); or fills `into`. */
  read(): ArrayBuffer | undefined;
  read(count: number): ArrayBuffer;
  read(into: Uint8Array): number;
  write(bytes: Uint8Array): number | undefined;
  close(): void;
  readonly remoteAddress: string | undefined;
}
