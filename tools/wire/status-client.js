// GET /status of a server (the firmware's JSON report, plain HTTP on its WebSocket port), for
// whoever names the server: the host tests (their target), the fuzzer, the bench.
import { httpRequest, plainGet } from "./raw-http.js";

/**
 * GET /status: `{ response, status }`, the HTTP response and the parsed body; throws when the
 * answer is not a 200 with JSON.
 * @param {{ host: string, port: number, replyTimeoutMs?: number }} server
 * @param {{ timeoutMs?: number }} [options] default: the server's replyTimeoutMs, else 5 s
 */
export async function getStatus(server, { timeoutMs = server.replyTimeoutMs } = {}) {
  const response = await httpRequest(server, plainGet(server, "/status", { Connection: "close" }), {
    timeoutMs,
    closeWaitMs: 0,
  });
  const body = Buffer.from(response.body, "latin1").toString("utf8");
  if (response.status !== 200) {
    throw new Error(`GET /status answered "${response.statusLine}" ${body.slice(0, 200)}`);
  }
  try {
    return { response, status: JSON.parse(body) };
  } catch (err) {
    throw new Error(`GET /status: the body is not JSON (${err.message}): ${body.slice(0, 300)}`, {
      cause: err,
    });
  }
}

/** The parsed body of GET /status. */
export async function fetchStatus(server, options) {
  return (await getStatus(server, options)).status;
}
