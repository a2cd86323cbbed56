// The boundary between the engine that runs the firmware and the Node process around it.
//
// Everything under sdk/ runs inside the firmware's engine: in this Node process (the Node
// engine, V8) or inside an xsnap worker (the XS engine). It plays the part of the SDK's host
// objects (tcp.c, listener, modTimer, digitalbank.c…) and imports nothing but sdk/ files. What
// the board does outside XS — lwip and the network, the clock, the pins, the hash engine, the
// console — is the host's, written once in host/ and reached only through this object. The
// engine adapters fill it at boot: adapters/node/boot.js with direct calls, adapters/xs/ with calls
// over the worker's pipe.
//
//   engine                     "node" or "xs 13.3.0", as GET /status reports it
//   network                    whether the board's Wi-Fi is there to join (--no-network: false)
//   firmwareGlobal             the global object the firmware's modules see
//   stdout(text), stderr(text) the console (trace, platform lines)
//   abort(status, message, detail), crash(reason)   end the run (XS abort, ESP32 panic); never return
//   now()                      milliseconds, monotonic
//   later(task)                runs task after the current callback, in this turn (message queue)
//   setTimer(ms, task) → handle, clearTimer(handle), sleep(ms)
//   listen(port, onAccept(pcb)) → { port, close() }   throws like lwip (no socket, socket bind)
//   connect(address, port, onConnected(pcb)) → pcb    (pcb: the interface of host/lwip-pcb.js)
//   createHash(name) → { update(bytes), digest(keep) → ArrayBuffer }
//   pins: { claim, release, drive, level, setInput, watch(pin, listener(level)) }
//   lookup(name, callback(address | undefined))
//   heap() → { liveSlots, peakSlots, stack: { slots, peak } } | null   what the engine can say
//                              of its own heap and (in board terms) of its stack

/** @type {Record<string, any>} */
export const host = {};

/** Called once by the engine adapter, before any engine module is used. */
export function installHost(services) {
  Object.assign(host, services);
}
