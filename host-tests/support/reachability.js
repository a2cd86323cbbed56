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

/** What the failure of the TCP probe says about where to look (lines), or []. */
function boardHint(err, host, port) {
  if (err.code === "ENOTFOUND" || err.code === "EAI_AGAIN") {
    return [
      `This computer cannot resolve "${host}": a .local name needs mDNS here (macOS,`,
      "Windows 10+, Linux with Avahi). Use the IP from the serial log instead.",
    ];
  }
  if (err.code === "ECONNREFUSED") {
    return [
      `The computer at ${host} answered but refused port ${port}: the firmware is not running`,
      "there (crashed, rebooting, built with another port), or that IP is now another device's.",
    ];
  }
  if (err.message === "timeout" || err.code === "EHOSTUNREACH" || err.code === "ENETUNREACH") {
    return [
      "Nothing answered: the board is off, on another network, or a firewall drops the packets.",
    ];
  }
  return [];
}

/** Checks that a flashed board answers on TCP; throws an Error telling the user what to check. */
export async function checkBoardReachable(host, port, timeoutMs = 3000) {
  try {
    await probeTcp(host, port, timeoutMs);
  } catch (err) {
    const hint = boardHint(err, host, port);
    throw new Error(
      [
        `Cannot reach the board at ${host}:${port}: ${err.detail}.`,
        ...hint,
        "Check that:",
        "  - the board is powered and its serial log (xsbug, or mcconfig ... -l) shows",
        '    "WebSocket echo server ready: ws://<ip>/ws" after joining Wi-Fi;',
        "  - BOARD is that <ip> (e.g. BOARD=192.168.1.42); it can change when the board reboots;",
        "  - this computer is on the same Wi-Fi network as the board (not a guest or isolated",
        "    network, which keeps its clients from reaching each other);",
        `  - \`ping ${host}\` answers: if it does, the network is fine and the port or a firewall`,
        "    is the problem; if it does not, the board is not on this computer's network;",
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
