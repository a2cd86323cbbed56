// The watcher's connection loop: connect, show, summarize, and reconnect with backoff until
// stopped (--duration, Ctrl-C) or out of reconnects.
import { Backoff, BACKOFF_DEFAULTS } from "./backoff.js";
import { connect } from "./connection.js";
import {
  formatDuration,
  formatMessage,
  formatStatus,
  formatSummary,
  formatTotals,
} from "./format.js";

/**
 * Runs the watcher with parsed `options` (args.js) on `display` (display.js).
 * @returns {{ done: Promise<number>, stop(why: string): void }} `done` settles with the exit
 *   code: 0 when stopped, 1 when the connection failed or ended with no reconnect left.
 */
export function watch(options, display) {
  let stopping = null;
  let current = null;
  let wake = null;
  const stop = (why) => {
    if (stopping) return;
    stopping = why;
    current?.stop(why);
    wake?.();
  };

  const run = async () => {
    const started = Date.now();
    const records = [];
    const backoff = new Backoff({
      firstMs: options.reconnectDelayMs,
      maxMs: Math.max(BACKOFF_DEFAULTS.maxMs, options.reconnectDelayMs),
      resetAfterMs: BACKOFF_DEFAULTS.resetAfterMs,
    });
    let reconnects = 0;
    for (let number = 1; !stopping; number++) {
      let stats = null;
      display.status = () =>
        stats
          ? formatStatus(number, stats.snapshot(Date.now()))
          : `#${number} connecting to ${options.url}`;
      current = connect(
        options.url,
        { ...options, number },
        {
          open: (s) => {
            stats = s;
            display.note(`#${number} connected to ${options.url}`);
          },
          message: (data, isBinary) => {
            if (options.show) display.out(formatMessage(data, isBinary, options.truncate));
          },
        },
      );
      const record = await current.done;
      current = null;
      records.push(record);
      display.status = null;
      display.out(formatSummary(record).join("\n"));
      if (stopping || !options.reconnect || reconnects >= options.maxReconnects) break;

      const delay = backoff.next(
        record.openedAt === null ? null : record.closedAt - record.openedAt,
      );
      reconnects++;
      const until = Date.now() + delay;
      const of = Number.isFinite(options.maxReconnects) ? ` of ${options.maxReconnects}` : "";
      display.note(`reconnecting in ${formatDuration(delay)} (reconnect ${reconnects}${of})`);
      const ended = record.openedAt === null ? "failed" : `closed ${record.code}`;
      display.status = () =>
        `#${number} ${ended} | reconnecting in ${formatDuration(Math.max(0, until - Date.now()))}`;
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
      display.status = null;
    }
    if (records.length > 1) display.out(`\n${formatTotals(records, Date.now() - started)}`);
    return stopping ? 0 : 1;
  };

  let durationTimer = null;
  if (options.durationMs !== null) {
    durationTimer = setTimeout(
      () => stop(`--duration ${options.durationMs / 1000} s`),
      options.durationMs,
    );
  }
  const done = run().finally(() => clearTimeout(durationTimer));
  return { done, stop };
}
