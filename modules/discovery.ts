/*
 * Finding the board without its IP address: it claims <hostName>.local on the local network with
 * multicast DNS (the SDK's mdns module, RFC 6762) and advertises its web server as an _http._tcp
 * service, so `ws://esp32-echo.local/ws` works from a laptop on the same Wi-Fi. If another device
 * has the name already, the SDK picks the next free one (esp32-echo-2, …); `onClaimed` gets the
 * name actually claimed.
 */
import config from "mc/config";
import MDNS from "mdns";
import type { Network } from "network";

/** The platform layer names its engine in mc/config; a board's build has no such key. */
const ON_PLATFORM_LAYER = (config as Record<string, unknown>).engine !== undefined;

/** The mdns callback's message when a host name is being probed ("") or has been claimed. */
const HOST_NAME = 1;
const ERROR = -1;

function advertise(hostName: string, port: number, onClaimed: (name: string) => void): MDNS {
  const mdns: MDNS = new MDNS({ hostName }, (message, value) => {
    if (message === HOST_NAME && value) {
      mdns.add({ name: "http", protocol: "tcp", port, txt: {} });
      onClaimed(value);
    } else if (message === ERROR) {
      trace(`mDNS: could not claim ${hostName}.local; use the IP address\n`);
    }
  });
  return mdns;
}

/**
 * Each time the board has an address on `network`, prints where to connect (`WebSocket echo
 * server ready: ws://<ip>/ws`); the first time, it also claims <hostname>.local over mDNS and
 * prints the same by name once claimed (on the platform layer, saying that the name answers only
 * on a board). Offline, the network says why, and this waits.
 */
export function announce(
  network: Network,
  port: number,
  { path, hostname }: { path: string; hostname: string },
): void {
  const portPart = port === 80 ? "" : `:${port}`;
  let advertised = false;
  network.onAddress((address) => {
    trace(`WebSocket echo server ready: ws://${address}${portPart}${path}\n`);
    if (advertised) return;
    advertised = true;
    advertise(hostname, port, (name) => {
      const where = `ws://${name}.local${portPart}${path} and http://${name}.local${portPart}/`;
      // The platform layer's mdns sends nothing: the name is the board's.
      if (ON_PLATFORM_LAYER)
        trace(`on a board also at ${where} (the name answers only on a board)\n`);
      else trace(`also at ${where}\n`);
    });
  });
}
