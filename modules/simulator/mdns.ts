/*
 * "mdns" for the Moddable simulators (lin, mac, win): the manifest maps it here on those platforms
 * only, so that the simulator sends no multicast on the computer's network; on an ESP32 it is the
 * SDK's own mdns module. It claims nothing: the simulator is reached at 127.0.0.1.
 */
/** The callback of the SDK's MDNS; the stand-in never calls it (no name is claimed). */
type MdnsCallback = (message: number, value?: string) => void;
/** A service as the SDK's MDNS.add() takes it. */
type MdnsService = { name: string; protocol: string; port: number; txt: Record<string, string> };

export default class MDNS {
  constructor({ hostName }: { hostName: string }, callback?: MdnsCallback) {
    trace(
      `mDNS: not on the simulator (${hostName}.local is advertised by a board); use 127.0.0.1\n`,
    );
    void callback;
  }

  add(service: MdnsService): void {
    void service;
  }
  update(service: MdnsService): void {
    void service;
  }
  remove(service: MdnsService | string): void {
    void service;
  }
  close(): void {}
}
