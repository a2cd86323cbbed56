/* Messages and payload bytes, in and out: per client, and in total for the server. */
export interface Traffic {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

export function newTraffic(): Traffic {
  return { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
}

/** `bytes` came in, ending `messages` messages (a message streamed in parts ends with its last). */
export function countIn(traffic: Traffic, bytes: number, messages = 1): void {
  traffic.messagesIn += messages;
  traffic.bytesIn += bytes;
}

export function countOut(traffic: Traffic, bytes: number, messages = 1): void {
  traffic.messagesOut += messages;
  traffic.bytesOut += bytes;
}
