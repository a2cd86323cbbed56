// Helpers for the tests of the command-line tools (console, watch): a local `ws` server (plain or
// TLS with a self-signed certificate made by openssl), and the tools run as child processes.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WebSocketServer } from "ws";

export const toolPath = (name) => fileURLToPath(new URL(`../${name}`, import.meta.url));

/**
 * A self-signed certificate for CN=localhost, made with openssl in a temporary folder.
 * @returns {{ key: Buffer, cert: Buffer } | { skip: string }}
 */
export function makeCertificate() {
  const openssl = existsSync("/usr/bin/openssl") ? "/usr/bin/openssl" : "openssl";
  const dir = mkdtempSync(join(tmpdir(), "cli-cert-"));
  try {
    const run = spawnSync(
      openssl,
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { encoding: "utf8" },
    );
    if (run.error) return { skip: `openssl cannot run (${run.error.message})` };
    if (run.status !== 0) return { skip: `openssl failed: ${run.stderr.trim()}` };
    return { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A `ws` server on a free port of 127.0.0.1 (TLS when `tls` has key and cert) that hands each
 * connection to `onConnection(ws, request)`. `verifyClient` and `autoPong` (false: pings go
 * unanswered) as `ws` takes them.
 */
export async function startServer({
  tls = null,
  onConnection = () => {},
  verifyClient,
  autoPong = true,
} = {}) {
  const server = tls ? https.createServer(tls) : http.createServer();
  const sockets = new Set();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ server, verifyClient, autoPong });
  const requests = [];
  wss.on("connection", (ws, request) => {
    requests.push({ url: request.url, headers: request.headers, received: [] });
    const record = requests.at(-1);
    ws.on("error", () => {});
    ws.on("message", (data) => record.received.push(data.toString()));
    onConnection(ws, request);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  return {
    port,
    url: (path = "/ws") => `${tls ? "wss" : "ws"}://127.0.0.1:${port}${path}`,
    /** What each connection asked for (url, headers) and sent. */
    requests,
    async stop() {
      for (const ws of wss.clients) ws.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => wss.close(() => server.close(() => resolve())));
    },
  };
}

/**
 * Streams to a client: a text message every `everyMs`, a ping at `pingAtMs`, and at `endAtMs`
 * a close with `code`/`reason` or, with `drop`, the TCP connection destroyed (no close frame).
 */
export function stream(ws, { everyMs = 20, pingAtMs = 100, endAtMs = 500, code, reason, drop }) {
  let n = 0;
  const timers = [setInterval(() => ws.send(`message ${++n}`), everyMs)];
  if (pingAtMs !== null) timers.push(setTimeout(() => ws.ping("p"), pingAtMs));
  if (endAtMs !== null) {
    timers.push(
      setTimeout(() => {
        for (const timer of timers) clearTimeout(timer);
        if (drop) ws.terminate();
        else ws.close(code, reason);
      }, endAtMs),
    );
  }
  ws.once("close", () => timers.forEach((timer) => clearTimeout(timer)));
}

/**
 * Runs `node tools/<name> ...args` with stdout and stderr collected.
 * @returns the child, `output()` so far, `exited` (code, signal, stdout, stderr) and
 *   `waitFor(stream, pattern)`.
 */
export function runTool(name, args, { stdin = "ignore", timeout = 15_000 } = {}) {
  const child = spawn(process.execPath, [toolPath(name), ...args], {
    stdio: [stdin, "pipe", "pipe"],
  });
  const out = { stdout: "", stderr: "" };
  child.stdout.setEncoding("utf8").on("data", (text) => (out.stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text) => (out.stderr += text));
  const killer = setTimeout(() => child.kill("SIGKILL"), timeout);
  const exited = new Promise((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, ...out });
    });
  });
  const waitFor = async (streamName, pattern, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!pattern.test(out[streamName])) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(
          `no ${pattern} on ${streamName}\nstdout:\n${out.stdout}\nstderr:\n${out.stderr}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return { child, output: () => out, exited, waitFor };
}
