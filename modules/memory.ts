/*
 * What the runtime can say about its memory, from the SDK's instrumentation module. The figures
 * exist in debug (`mcconfig -d`) and instrumented (`-i`) builds; otherwise, and on runtimes that
 * cannot tell (the Node platform layer has no XS heap, but counts sockets and timers), they are
 * null.
 */
import Instrumentation from "instrumentation";

export interface MemoryFigures {
  /** Bytes of the XS chunk heap (strings, buffers, …) and slot heap (objects) in use. */
  chunkHeapUsed: number | null;
  slotHeapUsed: number | null;
  /** Bytes the system can still allocate (ESP32: free heap outside XS). */
  systemFree: number | null;
  garbageCollections: number | null;
  /** Sockets and timers alive: what a leak of connections would show first. */
  sockets: number | null;
  timers: number | null;
}

function read(name: Parameters<typeof Instrumentation.map>[0]): number | null {
  const index = Instrumentation.map(name);
  if (index === undefined) return null;
  return Instrumentation.get(index) ?? null;
}

export function memoryFigures(): MemoryFigures {
  return {
    chunkHeapUsed: read("XS Chunk Heap Used"),
    slotHeapUsed: read("XS Slot Heap Used"),
    systemFree: read("System Free Memory"),
    garbageCollections: read("XS Garbage Collection Count"),
    sockets: read("Network Sockets"),
    timers: read("Timers"),
  };
}

/** "heap 23456 B" (chunk + slot), or "" when the runtime cannot tell. */
export function describeHeap(): string {
  const { chunkHeapUsed, slotHeapUsed } = memoryFigures();
  if (chunkHeapUsed === null || slotHeapUsed === null) return "";
  return `heap ${chunkHeapUsed + slotHeapUsed} B`;
}
