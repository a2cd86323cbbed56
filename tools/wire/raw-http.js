// Raw HTTP/1.1 over TCP: a request written verbatim (which `ws` or node:http would refuse to
// send) and the response read as it comes, with a parser of response heads.
import { urlHost } from "./address.js";
import { tokenHeaders } from "./opening-handshake.js";
import { register, unregister } from "./open-connections.js";
import { connectTcp, writeInChunks } from "./tcp.js";

const HEAD_END = Buffer.from("\r\n\r\n");

/**
 * Parses an HTTP response head (status line and header fields, without the blank line).
 * Header names are lower-cased; repeated fields are joined with ", ".
 */
export function parseResponseHead(text) {
  const [statusLine, ...lines] = text.split("\r\n");
  const match = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(statusLine);
  const headers = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return {
    statusLine,
    httpVersion: match ? match[1] : null,
    status: match ? Number(match[2]) : NaN,
    reason: match ? (match[3] ?? "") : "",
    headers,
  };
}

/** Comma-separated header value as lower-case tokens. */
export function headerTokens(value) {
  return (value ?? "")
    .split(",")
    .map((token) => token.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * A plain GET request (not an upgrade) for `path`, with a Host field, the server's `token` when it
 * has one, and `headers` (which may replace them).
 */
export function plainGet({ host, port, token = "" }, path, headers = {}) {
  const fields = {
    Host: `${urlHost(host)}:${port}`,
    ...tokenHeaders(token),
    ...headers,
  };
  const lines = Object.entries(fields).map(([name, value]) => `${name}: ${value}`);
  return `GET ${path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`;
}

/**
 * Sends `request` (string or bytes, written verbatim) and reads the response.
 * Resolves `{ statusLine, status, headers, body, closed }` where `closed` tells whether the
 * server closed the connection within `closeWaitMs` after the response was complete.
 * Rejects when no complete response head arrives.
 */
export async function httpRequest(
  { host, port },
  request,
  { chunkSize, timeoutMs = 5000, closeWaitMs = 3000 } = {},
) {
  const socket = await connectTcp(host, port, { timeoutMs });
  const handle = { dispose: () => socket.destroy() };
  register(handle);
  try {
    const result = readResponse(socket, { timeoutMs, closeWaitMs });
    await writeInChunks(socket, request, { chunkSize });
    return await result;
  } finally {
    socket.destroy();
    unregister(handle);
  }
}

function readResponse(socket, { timeoutMs, closeWaitMs }) {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    let head = null;
    let bodyStart = 0;
    let timer = setTimeout(onTimeout, timeoutMs);

    socket.on("data", (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (!head) {
        const end = data.indexOf(HEAD_END);
        if (end < 0) return;
        head = parseResponseHead(data.subarray(0, end).toString("latin1"));
        bodyStart = end + HEAD_END.length;
      }
      const length = Number(head.headers["content-length"]);
      if (Number.isFinite(length) && data.length - bodyStart >= length) {
        // Complete: now only wait to see whether the server closes the connection.
        clearTimeout(timer);
        timer = setTimeout(() => finish(false), closeWaitMs);
      }
    });
    socket.on("error", () => {}); // a reset still ends in "close"
    socket.once("close", () => finish(true));

    function onTimeout() {
      if (head) finish(false);
      else fail(`no complete HTTP response within ${timeoutMs} ms`);
    }

    function finish(closed) {
      clearTimeout(timer);
      if (!head) {
        fail("the server closed the connection without a complete HTTP response");
        return;
      }
      resolve({ ...head, body: data.subarray(bodyStart).toString("latin1"), closed });
    }

    function fail(message) {
      clearTimeout(timer);
      const got = data.length ? `; received ${JSON.stringify(data.toString("latin1"))}` : "";
      reject(new Error(message + got));
    }
  });
}
