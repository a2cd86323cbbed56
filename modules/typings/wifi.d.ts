// @moddable/typings 5.6.0 has no declaration for the ECMA-419 Wi-Fi interface; this is the part
// the firmware uses (the SDK's own typings are used by mcconfig builds).
declare module "embedded:network/interface/wifi" {
  export interface WiFiOptions {
    /** "connection" when `connection` changed, "address" when an address was given. */
    onChanged?: (this: WiFi, property: "connection" | "address") => void;
  }
  export default class WiFi {
    constructor(options: WiFiOptions);
    /** 200 not connected, 300 connecting, 400 connected without an address, 500 with one. */
    readonly connection: number;
    readonly address: string | undefined;
    readonly SSID: string | undefined;
    connect(options: { SSID: string; password?: string }): void;
    disconnect(): void;
    close(): void;
  }
}
