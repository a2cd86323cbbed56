// The worker's side of the pipe to the host. What the engine asks of the host without needing an
// answer (a write, a timer, console text) is posted as an operation; the operations go to the host
// in order, with the reply to the host's command or ahead of the next call. A call (listen, claim a
// pin, a digest…) needs an answer at once: it is a synchronous issueCommand.
import { decodeMessage, encodeMessage } from "../protocol.js";
import { unmetered } from "./meter.js";

const ERRORS = Object.freeze({ Error, RangeError, TypeError, SyntaxError, ReferenceError });

let operations = [];
let attachments = [];

/** Queues an operation for the host: [name, ...arguments]. */
export function post(...operation) {
  operations.push(operation);
}

/** Adds bytes to go with the operations; an operation refers to them by the index returned. */
export function attach(bytes) {
  attachments.push(bytes);
  return attachments.length - 1;
}

function flush(value) {
  const message = encodeMessage({ ...value, operations }, attachments);
  operations = [];
  attachments = [];
  return message.buffer;
}

/** The reply to the host's command: every operation posted since the last flush. */
export function takeOutbox() {
  return unmetered(() => flush({}));
}

/**
 * Calls the host and waits for its answer: { value, attachments }. An error the host reports is
 * thrown here, with its class.
 */
export function call(name, ...args) {
  const reply = unmetered(() =>
    decodeMessage(new Uint8Array(issueCommand(flush({ call: name, args })))),
  );
  const { error, value } = reply.value;
  if (error) throw new (ERRORS[error.name] ?? Error)(error.message);
  return { value, attachments: reply.attachments };
}
