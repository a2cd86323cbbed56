// The XS worker with the board's stack. @agoric/xsnap's xsnap-worker gives XS a stack of 4096
// slots (a constant in xsnap-worker.c); a board has what the manifest's creation.stack says
// (mcconfig's default: 384). This builds a variant from the package's own sources: the same
// makefile and objects, with two edits, made here to a copy (the package stays as it is):
//   - `-S <slots>` sets the stack's size, so that one build serves every creation.stack;
//   - every reply's meter also says `stackPeak`, the most stack slots used since the previous
//     reply (the stack's free slots are filled with a mark, and the deepest one written since is
//     found by looking for the first that lost it), and `stackCount`.
// An overflow aborts the worker with xsnap's "stack overflow" (exit 12), as it aborts a board.
// Only xsnap-worker.c and xsnapPlatform.c are compiled again (a second or two); the package's
// other objects are reused.
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/**
 * The stack slots the worker holds under a firmware callback that a board does not: XS 13.3's
 * intrinsics (a board keeps them in flash) and the layer's event delivery (C on a board). A
 * Timer callback that does nothing peaks at 297 slots here and at 27 in the Moddable SDK 8.2.3
 * simulator (an instrumented build, 2026-12-07); the worker gets creation.stack plus the
 * difference, so that the firmware's own frames have the room they have on a board. What the
 * firmware calls of the SDK's natives is JavaScript here (a write, trace), so deep paths use
 * somewhat more here than on a board: the model errs on the safe side.
 */
export const LAYER_STACK_SLOTS = 270;

/** What the no-op Timer callback above peaks at on a board, in slots. */
export const BOARD_TIMER_CALLBACK_SLOTS = 27;

/** Bumped when the edits change: a build made by other edits is made again. */
const EDITS_VERSION = 2;
export const BOARD_STACK_SUFFIX = "+board-stack";

const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
export const STACK_WORKER_DIR = join(REPO_ROOT, "build", "xsnap-worker");

/** The edits of xsnap-worker.c: [what the package has, what the copy gets]. */
const WORKER_EDITS = [
  [
    "extern xsIntegerValue fxGetCurrentHeapCount(xsMachine* the);",
    "extern xsIntegerValue fxGetCurrentHeapCount(xsMachine* the);\n" +
      "extern void fxMarkStack(xsMachine* the);\n" +
      "extern xsIntegerValue fxStackPeak(xsMachine* the);\n" +
      "extern xsIntegerValue fxStackCount(xsMachine* the);",
  ],
  [
    "\tint parserBufferSize = 8192 * 1024;",
    "\tint parserBufferSize = 8192 * 1024;\n\tint stackCount = 4096;",
  ],
  [
    '\t\telse if (!strcmp(argv[argi], "-s")) {',
    '\t\telse if (!strcmp(argv[argi], "-S")) {\n' +
      "\t\t\targi++;\n" +
      "\t\t\tif (argi < argc && atoi(argv[argi]) > 0)\n" +
      "\t\t\t\tstackCount = atoi(argv[argi]);\n" +
      "\t\t\telse {\n" +
      "\t\t\t\txsPrintUsage();\n" +
      "\t\t\t\treturn E_BAD_USAGE;\n" +
      "\t\t\t}\n" +
      "\t\t}\n" +
      '\t\telse if (!strcmp(argv[argi], "-s")) {',
  ],
  ["\t\t4096,\t\t\t\t/* stackCount */", "\t\tstackCount,\t\t\t/* stackCount */"],
  [
    "\tsignal(SIGPIPE, fxSigPipeHandler);",
    "\tfxMarkStack(machine);\n\tsignal(SIGPIPE, fxSigPipeHandler);",
  ],
  [
    '\t\t\t\t  "\\"allocate\\":%u,"',
    '\t\t\t\t  "\\"allocate\\":%u,"\n\t\t\t\t  "\\"stackPeak\\":%u,\\"stackCount\\":%u,"',
  ],
  [
    "\t\t\t meterIndex, the->allocatedSpace, tsbuf);",
    "\t\t\t meterIndex, the->allocatedSpace, fxStackPeak(the), fxStackCount(the), tsbuf);\n" +
      "\tfxMarkStack(the);",
  ],
];

/**
 * What xsnapPlatform.c gets at its end: the stack's mark, and its reading. The JS stack grows down
 * from stackTop; XS also borrows the free slots from stackBottom up as scratch space (RegExp
 * states, number formatting), so the reading goes down from where the stack was when it was
 * marked to the first run of 4 slots still marked: the deepest the stack went since.
 */
const PLATFORM_ADDITION = `
/* The stack's peak (added by esp32-websocket-echo's tools/platform/adapters/xs/stack-worker.js). */
#define mxStackMark 0xA5
#define mxStackMarkRun 4
static txSlot* gxStackMarked = C_NULL;
void fxMarkStack(txMachine* the)
{
	gxStackMarked = the->stack;
	c_memset(the->stackBottom, mxStackMark, (the->stack - the->stackBottom) * sizeof(txSlot));
}
static txBoolean fxStackSlotMarked(txSlot* slot)
{
	txU1* byte = (txU1*)slot;
	txU1* end = byte + sizeof(txSlot);
	while ((byte < end) && (*byte == mxStackMark))
		byte++;
	return byte == end;
}
txSize fxStackPeak(txMachine* the)
{
	txSlot* slot = gxStackMarked ? gxStackMarked : the->stack;
	txInteger run = 0;
	while (slot > the->stackBottom) {
		slot--;
		run = fxStackSlotMarked(slot) ? run + 1 : 0;
		if (run == mxStackMarkRun)
			return the->stackTop - (slot + mxStackMarkRun);
	}
	return the->stackTop - the->stackBottom;
}
txSize fxStackCount(txMachine* the)
{
	return the->stackTop - the->stackBottom;
}
`;

function applyEdits(text, edits, file) {
  for (const [from, to] of edits) {
    if (!text.includes(from)) {
      throw new Error(
        `${file} of this @agoric/xsnap does not have the text the edit expects: ${from}`,
      );
    }
    text = text.replace(from, to);
  }
  return text;
}

/**
 * The path of the worker with the board's stack, built from the package at `packageRoot` for
 * `platform` ("lin", "mac": xsnap's names) when it is not built yet (or was built from another
 * package or other edits). Throws when it cannot be.
 */
export function buildStackWorker(packageRoot, platform) {
  const native = join(packageRoot, "xsnap-native", "xsnap");
  const packageVersion = JSON.parse(
    readFileSync(join(packageRoot, "package.json"), "utf8"),
  ).version;
  const stamp = `${packageRoot} ${packageVersion} edits ${EDITS_VERSION}`;
  const binary = join(STACK_WORKER_DIR, "bin", platform, "release", "xsnap-worker");
  const stampFile = join(STACK_WORKER_DIR, "built-from");
  if (existsSync(binary) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) {
    return binary;
  }
  // Built aside, then moved in place: runs that start at once do not see half a build.
  const building = `${STACK_WORKER_DIR}.${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  // The sources, edited; and the package's objects, with their times, so that make compiles only
  // what the edits changed.
  const sources = join(building, "sources");
  cpSync(join(native, "sources"), sources, { recursive: true, preserveTimestamps: true });
  for (const [file, edit] of [
    ["xsnap-worker.c", (text) => applyEdits(text, WORKER_EDITS, "xsnap-worker.c")],
    ["xsnapPlatform.c", (text) => text + PLATFORM_ADDITION],
  ]) {
    writeFileSync(join(sources, file), edit(readFileSync(join(sources, file), "utf8")));
  }
  const objects = join(native, "build", "tmp", platform, "release", "xsnap-worker");
  const tmp = join(building, "tmp", platform, "release", "xsnap-worker");
  mkdirSync(tmp, { recursive: true });
  if (existsSync(objects)) {
    for (const object of readdirSync(objects)) {
      cpSync(join(objects, object), join(tmp, object), { preserveTimestamps: true });
    }
  }
  const make = spawnSync(
    "make",
    [
      "-f",
      "xsnap-worker.mk",
      "GOAL=release",
      `MODDABLE=${join(packageRoot, "moddable")}`,
      `BUILD_DIR=${building}`,
      `TLS_DIR=${sources}`,
      `XSNAP_VERSION=${packageVersion}${BOARD_STACK_SUFFIX}`,
      'CC=cc "-D__has_builtin(x)=1"',
      "EXTRA_DEPS=",
    ],
    { cwd: join(native, "makefiles", platform), encoding: "utf8" },
  );
  if (make.error || make.status !== 0) {
    rmSync(building, { recursive: true, force: true });
    const log = `${make.stdout ?? ""}${make.stderr ?? ""}`.trim().split("\n").slice(-15).join("\n");
    throw new Error(
      `building the XS worker with the board's stack failed: ${make.error?.message ?? log}`,
    );
  }
  writeFileSync(join(building, "built-from"), stamp);
  rmSync(STACK_WORKER_DIR, { recursive: true, force: true });
  try {
    renameSync(building, STACK_WORKER_DIR);
  } catch {
    rmSync(building, { recursive: true, force: true }); // another run moved its build in first
  }
  return binary;
}
