// A refused connection, as the command-line tools (npm run console, npm run watch) say it: that
// nothing listens at the address, and what to do about it, rather than "connect ECONNREFUSED".
import { urlPort } from "./address.js";

/** Host names and addresses of this computer, as a URL's hostname writes them. */
const LOCAL_HOSTS = new Set(["localhost", "[::1]", "::1", "0.0.0.0", "[::]"]);

/** True when `error` (from `ws`, `net`) is a refused TCP connection: nothing listens there. */
export function isRefused(error) {
  if (!error) return false;
  if (error.code === "ECONNREFUSED") return true;
  // Node's autoSelectFamily tries each address of a name: refused on all of them.
  const tried = Array.isArray(error.errors) ? error.errors : [];
  return tried.length > 0 && tried.every((each) => each?.code === "ECONNREFUSED");
}

/**
 * What to say when a connection to `url` is refused, for `npm run <tool>`: on this computer, to
 * start the firmware or give the board's address; elsewhere, what to check on the board.
 */
export function nothingListens(url, tool) {
  let host = "";
  let port = "";
  try {
    const parsed = new URL(url);
    host = parsed.hostname;
    port = urlPort(parsed);
  } catch {
    // Not a URL: the local advice below still applies.
  }
  if (host === "" || LOCAL_HOSTS.has(host) || host.startsWith("127.")) {
    return (
      `nothing listens at ${url}: start the firmware with npm start (or npm run dev), ` +
      `or give the board's address, e.g. npm run ${tool} -- 192.168.1.42`
    );
  }
  return (
    `nothing listens at ${url}: ${host} refused port ${port}. Is the firmware running there, ` +
    `on that port? (A board's serial log says "WebSocket echo server ready: ws://<ip>/ws" ` +
    "once it is; its address can change when it reboots.)"
  );
}
