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

export function countIn(traffic: Traffic, bytes: number): void {
  traffic.messagesIn++;
  traffic.bytesIn += bytes;
}

export function countOut(traffic: Traffic, bytes: number): void {
  traffic.messagesOut++;
  traffic.bytesOut += bytes;
}
