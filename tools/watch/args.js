// The watcher's command line.
import { ADDRESS_HELP, DEFAULT_URL, toWebSocketUrl } from "../cli/address.js";
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

export class UsageError extends Error {}

const number = (text, name, { integer = false, min = 0, above = false } = {}) => {
  const n = Number(text);
  const ok = text !== "" && Number.isFinite(n) && (!integer || Number.isInteger(n));
  if (!ok || n < min || (above && n <= min)) {
    const what = integer ? "an integer" : "a number";
    throw new UsageError(
      `${name}: "${text}" is not ${what} ${above ? "above" : "of at least"} ${min}`,
    );
  }
  return n;
};

/** @returns the options; throws UsageError on a bad command line. */
export function parseWatchArgs(argv) {
  const options = {
    help: false,
    url: DEFAULT_URL,
    defaulted: true,
    reconnect: false,
    maxReconnects: Infinity,
    reconnectDelayMs: BACKOFF_DEFAULTS.firstMs,
    durationMs: null,
    show: false,
    truncate: 200,
    send: [],
    token: null,
    insecure: false,
    intervalMs: 5000,
    pingMs: null,
    connectTimeoutMs: 10_000,
  };
  let address = null;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const value = () => {
      if (inline !== undefined) return inline;
      if (argv[i + 1] === undefined) throw new UsageError(`${arg} needs a value`);
      return argv[++i];
    };
    const flag = () => {
      if (inline !== undefined) throw new UsageError(`${arg} takes no value`);
      return true;
    };
    const seconds = (opts) => Math.round(number(value(), arg, opts) * 1000);
    switch (arg) {
      case "-h":
      case "--help":
        options.help = flag();
        break;
      case "--reconnect":
        options.reconnect = flag();
        break;
      case "--max-reconnects":
        options.maxReconnects = number(value(), arg, { integer: true });
        options.reconnect = true;
        break;
      case "--reconnect-delay":
        options.reconnectDelayMs = seconds({ min: 0, above: true });
        break;
      case "--duration":
        options.durationMs = seconds({ min: 0, above: true });
        break;
      case "--show":
        options.show = flag();
        break;
      case "--truncate":
        options.truncate = number(value(), arg, { integer: true });
        break;
      case "--send":
        options.send.push(value());
        break;
      case "--token":
        options.token = value();
        if (!/^[\x21-\x7e]+$/.test(options.token)) {
          throw new UsageError("--token: a token is printable ASCII without spaces");
        }
        break;
      case "--insecure":
        options.insecure = flag();
        break;
      case "--ping":
        options.pingMs = seconds({ min: 0, above: true });
        break;
      case "--interval":
        options.intervalMs = seconds({ min: 0, above: true });
        break;
      case "--connect-timeout":
        options.connectTimeoutMs = seconds({ min: 0, above: true });
        break;
      default:
        if (arg.startsWith("-") && arg.length > 1) {
          throw new UsageError(`unknown option "${arg}"`);
        }
        if (address !== null) throw new UsageError(`two addresses, "${address}" and "${arg}"`);
        address = arg;
    }
  }
  if (address !== null) {
    try {
      options.url = toWebSocketUrl(address);
    } catch (error) {
      throw new UsageError(error.message);
    }
    options.defaulted = false;
  }
  return options;
}
