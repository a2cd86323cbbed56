// The bystander of the hardening tests (issue 5: nothing a client sends can crash the board or
// starve the other clients). It is a well-behaved `ws` client on the echo path, opened before a
// test abuses the server. After the abuse it must still be connected and echo, and a client that
// connects afterwards must too. On the firmware, `expectAlone` also checks the client registry:
// GET /status ends up listing the bystander and nobody else.
import { expect } from "chai";
import { fetchStatus, releaseConnections, waitForStatus } from "./status.js";
import { target } from "./target.js";
import { WsClient } from "./ws-client.js";

let echoes = 0;

async function expectEcho(client, text, what) {
  try {
    await client.send(text);
    const { data, isBinary } = await client.nextMessage();
    expect(isBinary, `${what}: the echo's type`).to.equal(false);
    expect(data.toString(), `${what}: the echo`).to.equal(text);
  } catch (err) {
    throw new Error(`${what} did not echo: ${err.message}`, { cause: err });
  }
}

export class Bystander {
  /** Opens the bystander on `t` and checks that it echoes before anything else happens. */
  static async open(t = target) {
    const client = await WsClient.open(t);
    const bystander = new Bystander(client, t);
    await expectEcho(client, `bystander ready ${++echoes}`, "the bystander, before the abuse");
    if (t.kind !== "reference") {
      // The newest /ws client is this one: ids grow with every connection.
      const { clients = [] } = await fetchStatus(t);
      const ids = clients.filter((c) => c.path === t.path).map((c) => c.id);
      bystander.id = ids.length ? Math.max(...ids) : null;
    }
    return bystander;
  }

  #client;
  #t;

  constructor(client, t) {
    this.#client = client;
    this.#t = t;
    /** Its id in GET /status (firmware targets), null on the reference server. */
    this.id = null;
  }

  /**
   * The bystander is still connected and echoes, and a new client connects and echoes too.
   * `what` says what happened before, for the failure message.
   */
  async expectUnharmed(what) {
    const closed = this.#client.closeInfo;
    expect(
      closed,
      `the bystander was closed (${closed?.code} "${closed?.reason}") by ${what}`,
    ).to.equal(null);
    await expectEcho(
      this.#client,
      `bystander after ${what} ${++echoes}`,
      `the bystander after ${what}`,
    );
    let fresh;
    try {
      fresh = await WsClient.open(this.#t);
    } catch (err) {
      throw new Error(`a new client could not connect after ${what}: ${err.message}`, {
        cause: err,
      });
    }
    await expectEcho(fresh, `newcomer after ${what} ${++echoes}`, `a new client after ${what}`);
    await fresh.close();
  }

  /**
   * [firmware] Waits until GET /status lists the bystander and no other client (the abusive
   * connections have left the registry), then checks that it still echoes.
   */
  async expectAlone(what, { timeoutMs = this.#t.replyTimeoutMs } = {}) {
    expect(this.id, "the bystander's id in GET /status").to.be.a("number");
    await waitForStatus(
      (status) => status.clients?.length === 1 && status.clients[0].id === this.id,
      { t: this.#t, timeoutMs, what: `only the bystander (#${this.id}) after ${what}` },
    );
    await expectEcho(this.#client, `bystander alone ${++echoes}`, `the bystander after ${what}`);
  }

  /** GET /status entries of the clients other than the bystander (firmware targets). */
  async others() {
    const { clients = [] } = await fetchStatus(this.#t);
    return clients.filter((c) => c.id !== this.id);
  }
}

/**
 * For a suite of abuse tests: a bystander opened before each test, and every connection released
 * after it. Returns a function that gives the current test's bystander.
 */
export function useBystander() {
  let current = null;
  beforeEach(async function () {
    current = await Bystander.open();
  });
  afterEach(async function () {
    await releaseConnections();
  });
  return () => current;
}
