/*
 * What the runtime can say about its memory, from the SDK's instrumentation module. The figures
 * exist in debug (`mcconfig -d`) and instrumented (`-i`) builds; otherwise, and on runtimes that
 * cannot tell (the platform layer's Node engine has no XS heap, but counts sockets and timers),
 * they are null. The platform layer's XS engine counts the slots alive after a garbage
 * collection, which no SDK build does: `liveSlots`, and what they take on the board.
 */
import Instrumentation from "instrumentation";

/** An XS slot on the ESP32 (a 32-bit machine): 16 bytes. A 64-bit host's take 32. */
const BOARD_SLOT_BYTES = 16;

interface MemoryFigures {
  /** Bytes of the XS chunk heap (strings, buffers, …) and slot heap (objects) in use. */
  chunkHeapUsed: number | null;
  slotHeapUsed: number | null;
  /** Bytes the system can still allocate (ESP32: free heap outside XS). */
  systemFree: number | null;
  garbageCollections: number | null;
  /** Sockets and timers alive: what a leak of connections would show first. */
  sockets: number | null;
  timers: number | null;
  /** XS slots alive after the last garbage collection, and their bytes on the board. */
  liveSlots: number | null;
  liveSlotBytes: number | null;
  /**
   * The XS stack: its size (manifest.json creation.stack; the platform layer's XS engine says)
   * and the most of it used (a board's debug build: in the last second; the layer: since the
   * start), in slots of 16 bytes on the board. Overflowing it aborts the board.
   */
  stackSlots: number | null;
  stackPeakSlots: number | null;
}

type InstrumentName = Parameters<typeof Instrumentation.map>[0];

/** The instrument's value, or null; map() answers undefined for a name the runtime lacks. */
function read(name: InstrumentName | "XS Live Slots" | "XS Stack Slots"): number | null {
  const index = Instrumentation.map(name as InstrumentName);
  if (index === undefined) return null;
  return Instrumentation.get(index) ?? null;
}

export function memoryFigures(): MemoryFigures {
  const liveSlots = read("XS Live Slots");
  const stackUsed = read("XS Stack Used");
  return {
    chunkHeapUsed: read("XS Chunk Heap Used"),
    slotHeapUsed: read("XS Slot Heap Used"),
    systemFree: read("System Free Memory"),
    garbageCollections: read("XS Garbage Collection Count"),
    sockets: read("Network Sockets"),
    timers: read("Timers"),
    liveSlots,
    liveSlotBytes: liveSlots === null ? null : liveSlots * BOARD_SLOT_BYTES,
    stackSlots: read("XS Stack Slots"),
    stackPeakSlots: stackUsed === null ? null : stackUsed / BOARD_SLOT_BYTES,
  };
}

/** "heap 23456 B" (chunk + slot), or "" when the runtime cannot tell. */
function describeHeap(): string {
  const { chunkHeapUsed, slotHeapUsed } = memoryFigures();
  if (chunkHeapUsed === null || slotHeapUsed === null) return "";
  return `heap ${chunkHeapUsed + slotHeapUsed} B`;
}

/** "3 connected, heap 23456 B": the clients, and the heap in use when the runtime can tell. */
export function census(clients: number): string {
  const heap = describeHeap();
  return `${clients} connected${heap ? `, ${heap}` : ""}`;
}
