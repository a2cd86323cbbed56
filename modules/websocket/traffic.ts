/* Messages and payload bytes in and out: a client's, and with them its server's totals. */
export class Traffic {
  messagesIn = 0;
  messagesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  readonly #total: Traffic | null;

  /** `total`: the server's, which counts what this counts too. */
  constructor(total: Traffic | null = null) {
    this.#total = total;
  }

  /** `bytes` came in, ending `messages` messages (a message streamed in parts ends with its last). */
  received(bytes: number, messages = 1): void {
    this.messagesIn += messages;
    this.bytesIn += bytes;
    this.#total?.received(bytes, messages);
  }

  sent(bytes: number, messages = 1): void {
    this.messagesOut += messages;
    this.bytesOut += bytes;
    this.#total?.sent(bytes, messages);
  }
}
