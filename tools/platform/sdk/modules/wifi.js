// "embedded:network/interface/wifi", after modules/io/wifi/esp32/wifi-esp32.c of Moddable SDK 8.2.3,
// as far as the firmware uses it. `connection` is 200 (not connected), 300 (connecting), 400
// (associated, no address yet) or 500 (connected with an address); onChanged("connection") and
// onChanged("address") tell its changes, later, never inside the call that caused them.
// connect() without an SSID throws "SSID required", during a connection "already connecting".
//
// The access point is this machine: with a network (the default) connect() joins any SSID after
// JOIN_MS, at 127.0.0.1; without one (`npm start -- --no-network`, host.network false) it fails
// after JOIN_MS, as a board's does when its network is not in range or refuses the password.
import { host } from "../host.js";
import { callFirmware, postMessage } from "../runtime/deliver.js";
import { freezeClass } from "../runtime/freeze.js";

/** How long joining takes here, succeeding or not (a board's scan and association take seconds). */
const JOIN_MS = 50;
const ADDRESS = "127.0.0.1";

class WiFi {
  #onChanged;
  #connection = 200;
  #ssid;
  #closed = false;
  #attempt = 0;

  constructor(options = {}) {
    const onChanged = options.onChanged;
    this.#onChanged = typeof onChanged === "function" ? onChanged : null;
  }

  get connection() {
    return this.#connection;
  }

  get address() {
    return this.#connection === 500 ? ADDRESS : undefined;
  }

  get SSID() {
    return this.#connection >= 400 ? this.#ssid : undefined;
  }

  get MAC() {
    return "00:00:00:00:00:00";
  }

  get RSSI() {
    return this.#connection >= 400 ? -50 : undefined;
  }

  connect(options) {
    if (this.#closed) throw new SyntaxError("C: xsGetHostData: invalid host data");
    if (this.#connection === 300) throw new Error("already connecting");
    if (!options || typeof options !== "object" || !("SSID" in options))
      throw new Error("SSID required");
    this.#ssid = String(options.SSID);
    this.#connection = 300;
    const attempt = ++this.#attempt;
    host.setTimer(JOIN_MS, () => {
      if (this.#closed || attempt !== this.#attempt) return;
      this.#change(host.network ? 500 : 200);
    });
  }

  disconnect() {
    if (this.#closed) throw new SyntaxError("C: xsGetHostData: invalid host data");
    this.#attempt++;
    if (this.#connection !== 200) this.#change(200);
  }

  close() {
    this.#closed = true;
  }

  scan() {
    throw new Error("scan: not on the platform layer");
  }

  configure() {}

  #change(connection) {
    const gotAddress = connection === 500 && this.#connection !== 500;
    this.#connection = connection;
    const onChanged = this.#onChanged;
    if (!onChanged) return;
    postMessage(() => {
      if (this.#closed) return;
      callFirmware(onChanged, this, "connection");
      if (gotAddress && !this.#closed) callFirmware(onChanged, this, "address");
    });
  }
}

export default freezeClass(WiFi);
