// "mdns", after modules/network/mdns/mdns.js of Moddable SDK 8.2.3, as far as the firmware sees
// it: the constructor with a hostName probes for the name (the callback gets MDNS.hostName with ""
// when probing starts, then with the name once claimed, ~750 ms later), and add/update/remove
// keep the advertised services. Nothing goes on the network: the platform layer runs on loopback,
// where there is no one to ask, and this machine's resolver would not look there for .local
// names anyway; a line "[mdns] …" says what a board would advertise.
import { host } from "../host.js";
import { callFirmware } from "../runtime/deliver.js";
import { freezeClass } from "../runtime/freeze.js";

const PROBE_MS = 750; // three probes 250 ms apart, as the SDK's MDNS.probe()

class MDNS {
  #client;
  #services = [];

  constructor(dictionary = {}, callback) {
    this.#client = callback ?? function () {};
    if (dictionary.hostName) {
      this.hostName = String(dictionary.hostName);
      host.setTimer(0, () => {
        callFirmware(this.#client, this, MDNS.hostName, "");
        host.setTimer(PROBE_MS, () => {
          host.stdout(
            `[mdns] ${this.hostName}.local claimed (not sent: the platform layer is on loopback)\n`,
          );
          callFirmware(this.#client, this, MDNS.hostName, this.hostName);
        });
      });
    }
  }

  add(service) {
    this.#services.push(service);
    host.stdout(`[mdns] service _${service.name}._${service.protocol} port ${service.port}\n`);
  }

  update(service) {
    if (!this.#services.includes(service)) throw new Error("service not found");
  }

  remove(service) {
    const name = typeof service === "string" ? service : undefined;
    this.#services = this.#services.filter(
      (s) => s !== service && `_${s.name}._${s.protocol}` !== name,
    );
  }

  monitor() {}

  close() {
    this.#services = [];
  }
}

Object.assign(MDNS, {
  IP: "224.0.0.251",
  PORT: 5353,
  FLUSH: 0x8000,
  UNICAST: 0x8000,
  hostName: 1,
  retry: 2,
  error: -1,
});

export default freezeClass(MDNS);
