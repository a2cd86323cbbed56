// What xsnap counts as a command's compute (its meter) should be the engine's work: the firmware
// and the platform modules it calls, which stand in for the SDK's C. The worker's own traffic with
// the host (decoding the host's messages, encoding the engine's) is left out: xsnap's resetMeter
// sets the meter, so it is put back to where it was before that work.

/** Runs `task` and puts the meter back: its work is not counted. */
export function unmetered(task) {
  const spent = resetMeter(0, 0);
  try {
    return task();
  } finally {
    resetMeter(0, spent);
  }
}
