// Board and server addresses as users type them. Kept apart from target.js, which reads the
// environment when first imported: board.js must parse an address before setting BOARD.

/**
 * Parses a board or server address: "192.168.1.42", "host:port", "ws://host:port/path",
 * "esp32-echo.local". Returns `{ host, port, path }`.
 */
export function parseAddress(value, { defaultPort = 80, defaultPath = "/ws" } = {}) {
  const text = String(value).trim();
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  let url;
  try {
    url = new URL(hasScheme ? text : `ws://${text}`);
  } catch {
    throw new Error(
      `cannot read "${value}" as an address; examples: 192.168.1.42, 192.168.1.42:8080, ` +
        "ws://esp32-echo.local/ws",
    );
  }
  if (url.protocol !== "ws:") {
    throw new Error(`"${value}": only ws:// is supported (the firmware has no TLS)`);
  }
  // new URL() always reports at least "/" as path; only an explicit path counts.
  const explicitPath = /^[a-z][a-z0-9+.-]*:\/\/[^/]+(\/.*)$/i.test(text);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port ? Number(url.port) : defaultPort,
    path: explicitPath ? url.pathname + url.search : defaultPath,
  };
}
