// Plain TCP: a connection with Nagle's algorithm off, and writes that resolve (never reject) once
// the kernel has the bytes, whole or in small pieces. The raw WebSocket client, the raw HTTP
// helper and the fuzzer write with these.
import net from "node:net";
import { setTimeout as delay } from "node:timers/promises";

/**
 * Opens a TCP connection with Nagle's algorithm off, so that each write leaves as its own
 * segment (split-write tests depend on it).
 * @returns {Promise<net.Socket>}
 */
export function connectTcp(host, port, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`TCP connect to ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeListener("error", onError);
      socket.setNoDelay(true);
      resolve(socket);
    });
    function onError(err) {
      clearTimeout(timer);
      reject(err);
    }
    socket.once("error", onError);
  });
}

/** Writes and resolves once the bytes are handed to the kernel; never rejects. */
export function writeAsync(socket, bytes) {
  return new Promise((resolve) => {
    if (socket.destroyed || !socket.writable) {
      resolve(new Error("socket is no longer writable"));
      return;
    }
    socket.write(bytes, (err) => resolve(err ?? null));
  });
}

/**
 * Writes `bytes` in pieces of `chunkSize` bytes with a short pause between them, so the peer
 * sees many small TCP segments. Without `chunkSize`, one write.
 */
export async function writeInChunks(socket, bytes, { chunkSize, gapMs = 1 } = {}) {
  const buffer = Buffer.from(bytes);
  if (!chunkSize) return writeAsync(socket, buffer);
  for (let offset = 0; offset < buffer.length; offset += chunkSize) {
    const err = await writeAsync(socket, buffer.subarray(offset, offset + chunkSize));
    if (err) return err;
    await delay(gapMs);
  }
  return null;
}
