// The watcher's command line.
import { ADDRESS_HELP, DEFAULT_URL, toWebSocketUrl } from "../wire/address.js";
import { HELP, parseCommandLine } from "../wire/command-line.js";
import { integer, positiveNumber, text, token } from "../wire/option-values.js";
import { UsageError } from "../wire/usage-error.js";
import { BACKOFF_DEFAULTS } from "./backoff.js";
import { RATE_WINDOW_MS } from "./stats.js";

export const USAGE = `Usage: npm run watch -- [address] [options]
       node tools/watch.js [address] [options]

Keeps a WebSocket connection open and shows how it is doing: a status line on stderr, rewritten
in place on a terminal and one line every --interval seconds otherwise, with the messages
received, msgs/s over the last ${RATE_WINDOW_MS / 1000} s, bytes, how long ago the last message came, and the
pings the server sent. When the connection ends it prints on stdout when it connected and
closed, how long it stayed open, the close code and reason (1006: the TCP connection ended
without a close frame) and what it received.

${ADDRESS_HELP}
Without an address: ${DEFAULT_URL} (npm start).

Options:
  --reconnect          when the connection ends or fails, connect again after
                       --reconnect-delay, doubling each time up to ${BACKOFF_DEFAULTS.maxMs / 1000} s; back to
                       the first delay after a connection that stayed open ${BACKOFF_DEFAULTS.resetAfterMs / 1000} s or more
  --max-reconnects N   reconnect at most N times (implies --reconnect)
  --reconnect-delay S  the first delay before reconnecting, in seconds (default ${BACKOFF_DEFAULTS.firstMs / 1000})
  --duration S         stop after S seconds (close with 1000, exit 0)
  --show               print each message on stdout, one a line, cut at --truncate characters
                       (text with control characters escaped; binary as hex)
  --truncate N         characters of a message --show prints (default 200; 0: all)
  --ping S             ping the server every S seconds, and end the connection (1006) when
                       its pong has not come by the next ping: finds connections that died
                       without a word, which otherwise look open until TCP gives up
  --send TEXT          send TEXT as a text message once connected, on every connection
                       (repeat for more messages)
  --token T            send "Authorization: Bearer T" (the firmware's token setting)
  --insecure           accept any certificate for wss:// (self-signed, another name)
  --interval S         seconds between status lines when stderr is not a terminal (default 5)
  --connect-timeout S  give up a connection attempt after S seconds (default 10)
  -h, --help           this text

Exit codes:
  0  stopped by --duration or Ctrl-C
  1  the connection failed or ended (closed by the server, dropped) and no reconnect is left
     (no --reconnect, or --max-reconnects reached)
  2  bad arguments

Examples:
  npm run watch                                  # the firmware under npm start
  npm run watch -- 192.168.1.42 --reconnect      # a board: ws://192.168.1.42/ws
  npm run watch -- wss://stream.binance.com:9443/ws/btcusdt@depth --duration 60
  npm run watch -- wss://stream.binance.com:9443/ws/btcusdt@trade --show --truncate 100`;

/** Seconds above 0, as milliseconds. */
const milliseconds = (value, name) => Math.round(positiveNumber(value, name) * 1000);

const OPTIONS = {
  ...HELP,
  "--reconnect": {},
  "--max-reconnects": { kind: integer(0), default: Infinity },
  "--reconnect-delay": {
    kind: milliseconds,
    key: "reconnectDelayMs",
    default: BACKOFF_DEFAULTS.firstMs,
  },
  "--duration": { kind: milliseconds, key: "durationMs", default: null },
  "--show": {},
  "--truncate": { kind: integer(0), default: 200 },
  "--send": { kind: text, repeat: true },
  "--token": { kind: token, default: null },
  "--insecure": {},
  "--ping": { kind: milliseconds, key: "pingMs", default: null },
  "--interval": { kind: milliseconds, key: "intervalMs", default: 5000 },
  "--connect-timeout": { kind: milliseconds, key: "connectTimeoutMs", default: 10_000 },
};

/** @returns the options; throws UsageError on a bad command line. */
export function parseWatchArgs(argv) {
  const { options, positionals } = parseCommandLine(argv, {
    options: OPTIONS,
    positionals: Infinity,
  });
  // --max-reconnects implies --reconnect
  if (Number.isFinite(options.maxReconnects)) options.reconnect = true;
  if (positionals.length > 1) {
    throw new UsageError(`two addresses, "${positionals[0]}" and "${positionals[1]}"`);
  }
  const [address = null] = positionals;
  let url = DEFAULT_URL;
  if (address !== null) {
    try {
      url = toWebSocketUrl(address);
    } catch (error) {
      throw new UsageError(error.message);
    }
  }
  return { ...options, url, defaulted: address === null };
}
