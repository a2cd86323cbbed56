// Fast "is anything listening there?" check, with a message that says what to look at.
import net from "node:net";

/**
 * Resolves when a TCP connection to host:port succeeds within `timeoutMs`; otherwise rejects
 * with `{ code, detail }` describing why (DNS, refused, timeout, ...).
 */
export function probeTcp(host, port, timeoutMs = 3000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        Object.assign(new Error("timeout"), { detail: `no answer within ${timeoutMs / 1000} s` }),
      );
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      const detail =
        err.code === "ENOTFOUND" || err.code === "EAI_AGAIN"
          ? `the name "${host}" does not resolve`
          : err.code === "ECONNREFUSED"
            ? "connection refused (nothing listens on that port)"
            : `${err.code ?? ""} ${err.message}`.trim();
      reject(Object.assign(err, { detail }));
    });
  });
}

/** Checks that a flashed board answers on TCP; throws an Error telling the user what to check. */
export async function checkBoardReachable(host, port, timeoutMs = 3000) {
  try {
    await probeTcp(host, port, timeoutMs);
  } catch (err) {
    throw new Error(
      [
        `Cannot reach the board at ${host}:${port}: ${err.detail}.`,
        "Check that:",
        "  - this computer is on the same Wi-Fi network as the board (no guest/isolated network);",
        "  - BOARD is the address the board printed on its serial log at boot",
        "    (its IP, e.g. BOARD=192.168.1.42; a .local name needs mDNS on this computer);",
        `  - the port is right (${port}; the firmware's "port" setting, BOARD=host:port to change);`,
        "  - no firewall or VPN on this computer blocks outgoing TCP to the board.",
      ].join("\n"),
      { cause: err },
    );
  }
}

/** Same check for an already running server given by TARGET_URL. */
export async function checkServerReachable(host, port, timeoutMs = 3000) {
  try {
    await probeTcp(host, port, timeoutMs);
  } catch (err) {
    throw new Error(
      `Cannot reach the server at ${host}:${port} (TARGET_URL): ${err.detail}. ` +
        "Is it running, and is TARGET_URL the ws:// URL it printed?",
      { cause: err },
    );
  }
}
