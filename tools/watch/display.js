// Where the watcher writes: the status line on stderr (rewritten in place on a terminal, one
// line every `intervalMs` otherwise), notes on stderr, summaries and messages on stdout.

export class Display {
  constructor({ stdout, stderr, intervalMs }) {
    this.stdout = stdout;
    this.stderr = stderr;
    this.tty = Boolean(stderr.isTTY);
    this.intervalMs = intervalMs;
    /** @type {(() => string | null) | null} the status line now, or null for none */
    this.status = null;
    this.drawn = false;
    this.timer = null;
  }

  start() {
    this.timer = setInterval(() => this.tick(), this.tty ? 250 : this.intervalMs);
    this.timer.unref();
  }

  stop() {
    clearInterval(this.timer);
    this.clear();
  }

  tick() {
    const text = this.status?.();
    if (!text) return;
    if (this.tty) this.draw(text);
    else this.stderr.write(`watch: ${text}\n`);
  }

  draw(text) {
    const width = (this.stderr.columns ?? 80) - 1;
    const line = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    this.stderr.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }

  clear() {
    if (!this.drawn) return;
    this.stderr.write("\r\x1b[2K");
    this.drawn = false;
  }

  /** Writes lines to `stream` with the status line out of the way, then draws it again. */
  write(stream, text) {
    this.clear();
    stream.write(`${text}\n`);
    if (this.tty) {
      const status = this.status?.();
      if (status) this.draw(status);
    }
  }

  /** A summary or a message: stdout. */
  out(text) {
    this.write(this.stdout, text);
  }

  /** What the watcher is doing: stderr. */
  note(text) {
    this.write(this.stderr, `watch: ${text}`);
  }
}
