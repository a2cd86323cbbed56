/*
 * The board's network: the Wi-Fi it was built for (`mcconfig … ssid=<network>
 * password=<password>`), joined with the ECMA-419 network interface. No network is a state the
 * board waits in, not a crash: without an SSID it says how to give one and waits; when it cannot
 * join it says what to check, once, and keeps trying. Make it before the server: on an ESP32 the
 * interface starts the network stack, which a listening socket needs even while offline.
 */
import WiFi from "embedded:network/interface/wifi";
import config from "mc/config";
import Timer from "timer";

/** `connection`: connected with an address; not connected, and not trying. */
const CONNECTED = 500;
const DISCONNECTED = 200;

/** How often a board that is not connected tries again. */
const RETRY_MS = 10000;

/** The network to join: mcconfig's ssid= and password=, in mc/config. */
interface Credentials {
  ssid?: unknown;
  password?: unknown;
}

export class Network {
  /** The board's address while it is connected. */
  address: string | undefined;
  readonly #ssid: string;
  readonly #wifi: WiFi;
  #listeners: ((address: string) => void)[] = [];
  #reported = false; // the line that says why it is offline was written

  constructor({ ssid, password }: Credentials = config as Credentials) {
    this.#ssid = typeof ssid === "string" ? ssid : "";
    this.#wifi = new WiFi({ onChanged: () => this.#changed() });
    if (this.#wifi.connection === CONNECTED)
      this.address = this.#wifi.address; // joined already
    else if (!this.#ssid) {
      trace(
        "Wi-Fi: no network given, so the board is offline: build with " +
          "mcconfig -d -m -p esp32 ssid=<network> password=<password>\n",
      );
    }
    if (!this.#ssid) return;
    const join = {
      SSID: this.#ssid,
      ...(typeof password === "string" && password ? { password } : {}),
    };
    const tryToJoin = () => {
      if (this.#wifi.connection !== DISCONNECTED) return; // connecting, or connected
      try {
        this.#wifi.connect(join);
      } catch (error) {
        trace(`Wi-Fi: ${String(error)}\n`);
      }
    };
    tryToJoin();
    Timer.repeat(tryToJoin, RETRY_MS);
  }

  /** Calls `listener` with the board's address now if it has one, and each time it joins again. */
  onAddress(listener: (address: string) => void): void {
    this.#listeners.push(listener);
    if (this.address) listener(this.address);
  }

  #changed(): void {
    const wifi = this.#wifi;
    if (wifi.connection === CONNECTED && wifi.address) {
      if (this.address) return;
      this.address = wifi.address;
      this.#reported = false;
      trace(`Wi-Fi: joined "${this.#ssid}", address ${wifi.address}\n`);
      for (const listener of this.#listeners) listener(wifi.address);
    } else if (wifi.connection === DISCONNECTED) {
      if (this.address) trace(`Wi-Fi: lost "${this.#ssid}"; joining it again\n`);
      else if (!this.#reported) {
        trace(
          `Wi-Fi: cannot join "${this.#ssid}": check the ssid=… and password=… given to mcconfig ` +
            `(a 2.4 GHz network in range); trying again every ${RETRY_MS / 1000} s\n`,
        );
      }
      this.address = undefined;
      this.#reported = true;
    }
  }
}
