// Firmware settings (mcconfig-style key=value) that the host tests expect the target to run with.
// The Node platform layer and the simulator build both start the firmware with them; a board
// flashed with the manifest's defaults satisfies them too.
export const testSettings = [];
