// "net", after modules/network/net/net.js and esp/modNet.c of Moddable SDK 8.2.3. The firmware
// runs on this machine's loopback: IP is 127.0.0.1 and there is no Wi-Fi, so the Wi-Fi values are
// undefined (as on a board before it connects).
import { host } from "../host.js";
import { callFirmware } from "../runtime/deliver.js";
import { freezeClass } from "../runtime/freeze.js";

const VALUES = Object.freeze({
  IP: () => "127.0.0.1",
  MAC: () => "00:00:00:00:00:00",
  SSID: () => undefined,
  BSSID: () => undefined,
  RSSI: () => undefined,
  CHANNEL: () => undefined,
  DNS: () => [],
});

export default freezeClass(
  class Net {
    static get(what) {
      const name = String(what);
      return Object.hasOwn(VALUES, name) ? VALUES[name]() : undefined;
    }

    /** Looks up an IPv4 address; the callback gets (name, address), address undefined if none. */
    static resolve(hostName, callback) {
      const name = String(hostName);
      host.lookup(name, (address) => {
        callFirmware(callback, host.firmwareGlobal, name, address);
      });
    }
  },
);
