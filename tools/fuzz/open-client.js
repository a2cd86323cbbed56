// An ordinary `ws` client of the target, as the fuzzer's bystander and its fan-out rounds open one.
import WebSocket from "ws";

/**
 * Opens a `ws` client on `url`; rejects, naming the URL, when it cannot connect within
 * `timeoutMs`. Its error listener stays: an error after the opening (a reset) is no exception.
 */
export function openClient(url, timeoutMs) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { handshakeTimeout: timeoutMs });
    ws.once("open", () => resolve(ws));
    ws.on("error", (error) => reject(new Error(`cannot open ${url}: ${error.message}`)));
  });
}
