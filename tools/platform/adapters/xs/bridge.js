// The host's half of the XS engine: it keeps, for the engine inside the worker, the host objects
// the engine knows by id (PCBs, listeners, timers, hashes, pin watches, look-ups), turns what
// happens to them into events for the worker, carries out the operations the worker posts, and
// answers its calls. The services themselves are the host's own (host/services.js), the same the
// Node engine calls directly.
import process from "node:process";
import { decodeMessage, encodeMessage } from "./protocol.js";

/** @typedef {import("../../host/lwip-pcb.js").Pcb} Pcb */

function errorReply(error) {
  const name = error instanceof Error ? error.constructor.name : "Error";
  return encodeMessage({ error: { name, message: String(error?.message ?? error) } });
}

export class XsBridge {
  #services;
  #modules;
  #worker = null;
  #nextId = 1;
  #pcbs = new Map();
  #listeners = new Map();
  #timers = new Map();
  #hashes = new Map();
  #events = [];
  #attachments = [];
  #flushScheduled = false;
  #sending = false;
  /** Meter figures of the worker: the most slots seen after a command, the last collection's. */
  heap = { liveSlots: null, peakSlots: 0 };
  /**
   * The XS stack as the board has it (a board-stack build's meter says; null otherwise): its
   * slots (creation.stack), and the most the firmware used since the boot, the slots the layer
   * holds under it taken off (see LAYER_STACK_SLOTS).
   */
  stack = { slots: null, peak: null };
  #layerStackSlots;
  /**
   * The compute count (XS's own count of the work it did: deterministic, unlike time) of every
   * command but the host's collections, how many commands, and the part of it spent on commands
   * that only fired timers (the server's liveness tick, for example).
   */
  compute = { total: 0, commands: 0, timers: 0 };

  /**
   * @param {object} services host/services.js
   * @param {{ resolve(specifier: string, referrer: string): object, load(name: string): string }} modules
   * @param {number} [layerStackSlots] the worker's stack slots that are the layer's, not the board's
   */
  constructor(services, modules, layerStackSlots = 0) {
    this.#services = services;
    this.#modules = modules;
    this.#layerStackSlots = layerStackSlots;
  }

  attach(worker) {
    this.#worker = worker;
  }

  /** Sends a command to the worker and carries out the operations of its reply. */
  command(value) {
    return this.#run(value);
  }

  /**
   * One command with its attachments: sent, metered (`onlyTimers`: it only fired timers), its
   * reply's operations carried out; resolves the meter.
   */
  async #run(value, attachments = [], onlyTimers = false) {
    const { meter, reply } = await this.#worker.handle(encodeMessage(value, attachments));
    this.#noteMeter(meter, value.op, onlyTimers);
    const outbox = decodeMessage(reply);
    this.#apply(outbox.value.operations, outbox.attachments);
    return meter;
  }

  /** A garbage collection in the worker; the live slots after it. */
  async collect() {
    const meter = await this.command({ op: "gc" });
    this.heap.liveSlots = meter.currentHeapCount;
    return meter.currentHeapCount;
  }

  #noteMeter(meter, op, onlyTimers = false) {
    if (meter.currentHeapCount > this.heap.peakSlots) this.heap.peakSlots = meter.currentHeapCount;
    if (meter.stackCount !== undefined) {
      // The firmware at work: its events (the boot also loads the layer's own modules).
      const peak = op === "events" ? Math.max(0, meter.stackPeak - this.#layerStackSlots) : 0;
      this.stack.slots = meter.stackCount - this.#layerStackSlots;
      this.stack.peak = Math.max(this.stack.peak ?? 0, peak);
    }
    if (op === "gc") return;
    this.compute.total += meter.compute;
    this.compute.commands += 1;
    if (onlyTimers) this.compute.timers += meter.compute;
  }

  // Events: what the host's objects did, for the worker, sent in one command per turn.

  #event(event, bytes) {
    if (bytes) {
      this.#attachments.push(bytes);
      event.push(this.#attachments.length - 1);
    }
    this.#events.push(event);
    if (!this.#flushScheduled && !this.#sending) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  /** A command failed: the worker died (its exit says how), or the layer has a bug. */
  #failed(error) {
    if (this.#worker.gone) return;
    process.stderr.write(`XS engine: ${error.message}\n`);
    process.exit(1);
  }

  async #flush() {
    this.#flushScheduled = false;
    if (this.#sending || this.#events.length === 0) return;
    this.#sending = true;
    try {
      while (this.#events.length) {
        const events = this.#events;
        const attachments = this.#attachments;
        this.#events = [];
        this.#attachments = [];
        const onlyTimers = events.every((event) => event[0] === "timer");
        await this.#run({ op: "events", events }, attachments, onlyTimers);
      }
    } catch (error) {
      this.#failed(error);
    } finally {
      this.#sending = false;
    }
  }

  #register(pcb) {
    const id = this.#nextId++;
    this.#pcbs.set(id, pcb);
    pcb.arg = id;
    pcb.recv = null; // until the engine sets its receive callback
    pcb.sent = (_, bytes) => this.#event(["sent", id, bytes]);
    pcb.err = () => {
      this.#pcbs.delete(id);
      this.#event(["err", id]);
    };
    return id;
  }

  #receiver(id) {
    return (_, segment) =>
      segment === null ? this.#event(["recv", id, -1]) : this.#event(["recv", id], segment);
  }

  // Operations posted by the worker, in order.

  #apply(operations, attachments) {
    for (const [name, ...args] of operations) this.#operate(name, args, attachments);
  }

  #operate(name, args, attachments) {
    const services = this.#services;
    switch (name) {
      case "stdout":
        return services.stdout(args[0]);
      case "stderr":
        return services.stderr(args[0]);
      case "timer": {
        const [id, ms] = args;
        const handle = services.setTimer(ms, () => {
          this.#timers.delete(id);
          this.#event(["timer", id]);
        });
        return this.#timers.set(id, handle);
      }
      case "untimer":
        services.clearTimer(this.#timers.get(args[0]));
        return this.#timers.delete(args[0]);
      case "pcb":
        return this.#operatePcb(args, attachments);
      case "unlisten":
        this.#listeners.get(args[0])?.close();
        return this.#listeners.delete(args[0]);
      case "hashUpdate":
        return this.#hashes.get(args[0]).update(attachments[args[1]]);
      case "pinRelease":
        return services.pins.release(args[0]);
      case "pinDrive":
        return services.pins.drive(args[0], args[1]);
      case "pinSetInput":
        return services.pins.setInput(args[0], args[1]);
      case "pinWatch": {
        const [pin, id] = args;
        return services.pins.watch(pin, (level) => this.#event(["pin", id, level]));
      }
      case "lookup": {
        const [id, hostName] = args;
        return services.lookup(hostName, (address) => this.#event(["lookup", id, address ?? null]));
      }
    }
    throw new Error(`the XS worker posted an unknown operation ${name}`);
  }

  #operatePcb([id, method, value], attachments) {
    const pcb = this.#pcbs.get(id);
    if (!pcb) return; // gone meanwhile: its err event is on the way
    switch (method) {
      case "receive":
        pcb.recv = value ? this.#receiver(id) : null;
        return;
      case "write":
        pcb.write(attachments[value]); // false only when gone: its err event is on the way
        return;
      case "output":
        return pcb.output();
      case "recved":
        return pcb.recved(value);
      case "nodelay":
        return pcb.setNoDelay(value);
      case "accept":
        return pcb.accept();
      case "close":
      case "abandon":
        this.#pcbs.delete(id);
        return method === "close" ? pcb.close() : pcb.abandon();
    }
    throw new Error(`the XS worker posted an unknown PCB operation ${method}`);
  }

  // Calls: the worker waits for the answer.

  /** Answers one synchronous call of the worker (after the operations posted before it). */
  answer(payload) {
    const { value, attachments } = decodeMessage(payload);
    this.#apply(value.operations, attachments);
    try {
      return this.#call(value.call, value.args);
    } catch (error) {
      return errorReply(error);
    }
  }

  #call(name, args) {
    const services = this.#services;
    const reply = (value, attachments) => encodeMessage({ value }, attachments);
    switch (name) {
      case "resolve":
        return reply(this.#modules.resolve(args[0], args[1]));
      case "load":
        return reply(this.#modules.load(args[0]));
      case "abort":
        return services.abort(args[0], args[1], args[2]);
      case "crash":
        return services.crash(args[0], args[1]);
      case "sleep":
        services.sleep(args[0]);
        return reply(null);
      case "listen": {
        const id = this.#nextId++;
        const socket = services.listen(args[0], (pcb) => {
          const pcbId = this.#register(pcb);
          this.#event(["accept", id, pcbId, pcb.sndbuf, pcb.remoteAddress, pcb.remotePort]);
        });
        this.#listeners.set(id, socket);
        return reply({ id, port: socket.port });
      }
      case "connect": {
        let id;
        const pcb = services.connect(args[0], args[1], (connected) =>
          this.#event(["connected", id, connected.remoteAddress, connected.remotePort]),
        );
        id = this.#register(pcb);
        return reply({ id, free: pcb.sndbuf });
      }
      case "hash": {
        const id = this.#nextId++;
        this.#hashes.set(id, services.createHash(args[0]));
        return reply(id);
      }
      case "digest": {
        const [id, keep] = args;
        const digest = new Uint8Array(this.#hashes.get(id).digest(keep));
        if (!keep) this.#hashes.delete(id);
        return reply(null, [digest]);
      }
      case "pinClaim":
        return reply(services.pins.claim(args[0]));
      case "pinLevel":
        return reply(services.pins.level(args[0]));
      case "heap":
        return reply({ ...this.heap, stack: this.stack });
    }
    throw new Error(`the XS worker made an unknown call ${name}`);
  }
}
