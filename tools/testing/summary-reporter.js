// A mocha reporter: mocha's usual per-test lines (Spec), then a summary table, one row per group
// (a top-level describe, i.e. a test file's suite) with passed, failed, skipped and time, and for
// each failure its title, where it failed, expected vs received (err.expected / err.actual, when
// the assertion has them) and the message, truncated to stay readable in a terminal.
//   mocha --reporter ./tools/testing/summary-reporter.js "host-tests/**/*.test.js"
//   new Mocha({ reporter: SummaryReporter, reporterOptions: { title: "board ws://…" } })
// Reporter options (--reporter-option key=value): title=<text> (after "Summary"), stack=full
// (whole stack traces instead of the first line in the project).
import path from "node:path";
import { inspect } from "node:util";
import Mocha from "mocha";

const { Base, Spec } = Mocha.reporters;
const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING } =
  Mocha.Runner.constants;

/** Longest group name shown; longer ones are cut with "…". */
const GROUP_WIDTH = 44;
/** Limits of one expected/received value and of one message. */
const VALUE_LIMIT = { lines: 8, chars: 600 };
const STRING_LIMIT = 160;
const MESSAGE_LIMIT = { lines: 24, chars: 2000 };
const ROOT_GROUP = "(root hooks: target start/stop, checks after each test)";

/** Cuts `text` to `lines` lines and `chars` characters, saying how much was left out. */
export function truncate(text, { lines, chars }) {
  let out = String(text);
  let cut = "";
  const all = out.split("\n");
  if (all.length > lines) {
    out = all.slice(0, lines).join("\n");
    cut = `… (${all.length - lines} more line${all.length - lines === 1 ? "" : "s"})`;
  }
  if (out.length > chars) {
    const more = String(text).length - chars;
    out = out.slice(0, chars);
    cut = `… (${more} more characters)`;
  }
  return cut ? `${out}${out.endsWith("\n") ? "" : " "}${cut}` : out;
}

/** A value as a test would write it: 'text', 42, <Buffer 01 02 …>, { a: 1 }. */
export function showValue(value) {
  const text = inspect(value, {
    depth: 3,
    maxArrayLength: 24,
    maxStringLength: STRING_LIMIT,
    breakLength: 96,
    compact: 3,
    colors: false,
  });
  return truncate(text, VALUE_LIMIT);
}

/** "12 ms", "3.4 s", "2 min 05 s". */
export function formatDuration(ms) {
  if (!Number.isFinite(ms)) return "-";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;
}

/** The stack's frames in this project's files (not mocha's, chai's or Node's): [{ file, line }]. */
function projectFrames(stack) {
  const frames = [];
  for (const text of String(stack ?? "").split("\n")) {
    const match = /^\s+at (?:.*\()?(?:file:\/\/)?(\/[^):]+):(\d+):(\d+)\)?$/.exec(text);
    if (match && !match[1].includes("/node_modules/"))
      frames.push({ file: match[1], line: match[2] });
  }
  return frames;
}

/**
 * Where a failure happened: the line of the test file, and the helper's line when the failing
 * assertion is in one ("host-tests/utf8.test.js:70, in tools/wire/raw-client.js:324").
 */
function whereInProject(stack, testFile, cwd) {
  const frames = projectFrames(stack);
  if (!frames.length) return null;
  const show = (f) => `${path.relative(cwd, f.file)}:${f.line}`;
  const inTest = testFile ? frames.find((f) => f.file === path.resolve(testFile)) : null;
  if (!inTest || inTest === frames[0]) return show(frames[0]);
  return `${show(inTest)}, in ${show(frames[0])}`;
}

function indentLines(text, prefix) {
  return text.replace(/\n/g, `\n${prefix}`);
}

export class SummaryReporter extends Spec {
  static description = "spec, then a table per top-level suite and the failures, short";

  constructor(runner, options = {}) {
    super(runner, options);
    const reporterOptions = options.reporterOption ?? options.reporterOptions ?? {};
    this.title = reporterOptions.title ?? "";
    this.fullStacks = reporterOptions.stack === "full";
    this.groups = new Map(); // key -> { name, passed, failed, skipped, planned, ms, startedAt }
    this.failed = []; // { runnable, err, actual, expected, hasValues }, one per failure event

    // Before mocha's Base handler, which turns actual/expected into diff strings.
    runner.prependListener(EVENT_TEST_FAIL, (runnable, err) => {
      const hasValues =
        err !== null &&
        typeof err === "object" &&
        (err.expected !== undefined || err.actual !== undefined);
      this.failed.push({
        runnable,
        err,
        hasValues,
        actual: hasValues ? err.actual : undefined,
        expected: hasValues ? err.expected : undefined,
      });
      const group = this.groupFor(runnable);
      group.failed++;
      if (runnable.type === "test") group.failedTests++;
    });
    runner.on(EVENT_TEST_PASS, (test) => this.groupFor(test).passed++);
    runner.on(EVENT_TEST_PENDING, (test) => this.groupFor(test).skipped++);
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (!suite.parent?.root) return;
      const group = this.group(suite, suite.title);
      group.startedAt = Date.now();
      group.planned = runner.grepTotal ? runner.grepTotal(suite) : suite.total();
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      if (!suite.parent?.root) return;
      const group = this.group(suite, suite.title);
      group.ms += Date.now() - group.startedAt;
    });
  }

  group(key, name) {
    let group = this.groups.get(key);
    if (!group) {
      group = { name, passed: 0, failed: 0, failedTests: 0, skipped: 0, planned: 0, ms: 0 };
      this.groups.set(key, group);
    }
    return group;
  }

  /** The row a test or hook counts in: its top-level describe, else the root hooks' row. */
  groupFor(runnable) {
    // A root afterEach hook (hooks.js: assertAlive) failing counts for the test it ran after.
    const subject =
      runnable.type === "hook" && runnable.parent?.root && runnable.ctx?.currentTest
        ? runnable.ctx.currentTest
        : runnable;
    let suite = subject.parent;
    if (!suite || suite.root) {
      if (subject.type === "hook") return this.group("root", ROOT_GROUP);
      // A test outside any describe: its file is the group.
      const name = subject.file ? path.basename(subject.file) : "(no describe)";
      return this.group(`file ${name}`, name);
    }
    while (suite.parent && !suite.parent.root) suite = suite.parent;
    return this.group(suite, suite.title);
  }

  epilogue() {
    const print = (...args) => Base.consoleLog(...args);
    const color = (name, text) => Base.color(name, text);
    const rows = [...this.groups.values()];
    for (const row of rows) {
      // Tests that never ran: a before/beforeEach hook of theirs failed.
      row.notRun = Math.max(0, row.planned - row.passed - row.failedTests - row.skipped);
    }
    const total = {
      name: "total",
      passed: this.stats.passes ?? 0,
      failed: this.stats.failures ?? 0,
      skipped: this.stats.pending ?? 0,
      notRun: rows.reduce((sum, row) => sum + row.notRun, 0),
      ms: this.stats.duration ?? rows.reduce((sum, row) => sum + row.ms, 0),
    };
    const showNotRun = total.notRun > 0;
    const width = Math.min(
      GROUP_WIDTH,
      Math.max("group".length, ...rows.map((row) => row.name.length)),
    );
    const name = (text) =>
      (text.length > width ? `${text.slice(0, width - 1)}…` : text).padEnd(width);
    const columns = [
      ["passed", (row) => row.passed, "green"],
      ["failed", (row) => row.failed, "fail"],
      ["skipped", (row) => row.skipped, "pending"],
      ...(showNotRun ? [["not run", (row) => row.notRun, "fail"]] : []),
    ];
    const line = (row, bold) => {
      const cells = columns.map(([head, get, style]) => {
        const text = String(get(row)).padStart(head.length);
        return get(row) > 0 && style !== "green" ? color(style, text) : text;
      });
      const time = formatDuration(row.ms).padStart(10);
      const label = bold ? color("bright pass", name(row.name)) : name(row.name);
      return `  ${label}  ${cells.join("  ")}  ${time}`;
    };

    print();
    print(color("suite", `Summary${this.title ? `: ${this.title}` : ""}`));
    print();
    print(
      color(
        "light",
        `  ${"group".padEnd(width)}  ${columns.map(([head]) => head).join("  ")}  ${"time".padStart(10)}`,
      ),
    );
    for (const row of rows) print(line(row));
    const ruleLength = width + 2 + columns.reduce((n, [head]) => n + head.length + 2, 0) + 10;
    print(`  ${"-".repeat(ruleLength)}`);
    print(line(total, true));
    if (showNotRun) {
      print();
      print(
        color(
          "fail",
          `  ${total.notRun} test${total.notRun === 1 ? "" : "s"} did not run: a before or beforeEach hook of theirs failed (below).`,
        ),
      );
    }
    if (this.failed.length) this.printFailures(print, color);
    print();
    // The plain closing line that CI and other tools read: "tests: N passed, N failed, N skipped".
    print(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  }

  printFailures(print, color) {
    const cwd = process.cwd();
    print();
    print(color("fail", `Failed (${this.failed.length}):`));
    this.failed.forEach(({ runnable, err, hasValues, actual, expected }, i) => {
      print();
      const title = runnable.titlePath().join(" › ");
      print(color("error title", `  ${i + 1}) ${title}`));
      const pad = "     ";
      const stack = err?.stack ?? "";
      if (this.fullStacks) {
        const frames = stack.split("\n").filter((l) => /^\s+at /.test(l));
        if (frames.length) print(color("error stack", `${pad}${frames.join(`\n${pad}`).trim()}`));
      } else {
        const where = whereInProject(stack, runnable.file, cwd);
        if (where) print(color("error stack", `${pad}at ${where}`));
      }
      if (hasValues) {
        const label = (head) => `${pad}${head}`;
        print(`${label("expected:")} ${indentLines(showValue(expected), `${pad}          `)}`);
        print(`${label("received:")} ${indentLines(showValue(actual), `${pad}          `)}`);
      }
      let message;
      if (err && typeof err === "object" && "message" in err) {
        const name = err.name && err.name !== "Error" ? `${err.name}: ` : "";
        message = `${err.uncaught ? "Uncaught " : ""}${name}${err.message}`;
      } else {
        message = `thrown: ${showValue(err)}`;
      }
      const text = truncate(message.replace(/\s+$/, ""), MESSAGE_LIMIT).replace(/[ \t]+$/gm, "");
      print(color("error message", `${pad}${indentLines(text, pad).replace(/[ \t]+$/gm, "")}`));
    });
  }
}

export default SummaryReporter;
