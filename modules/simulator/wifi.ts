/*
 * embedded:network/interface/wifi for the Moddable simulators (lin, mac, win), which are on the
 * computer's network already: the manifest maps the module here on those platforms only; on an
 * ESP32 it is the SDK's own. It is connected from the start, at the computer's address, and
 * joins nothing.
 */
import Net from "net";

type ChangedProperty = "connection" | "address";

export default class WiFi {
  constructor(options: { onChanged?: (property: ChangedProperty) => void }) {
    void options;
  }

  /** 500: connected, with an address. */
  get connection(): number {
    return 500;
  }

  get address(): string {
    return String(Net.get("IP") ?? "127.0.0.1");
  }

  get SSID(): string | undefined {
    return undefined;
  }

  connect(options: { SSID: string; password?: string }): void {
    void options;
  }

  disconnect(): void {}
  close(): void {}
}
