// tools/wire/address.js: board addresses as students type them, the mDNS name included.
import { expect } from "chai";
import { addressUrl, parseAddress } from "../wire/address.js";

describe("board addresses (BOARD=…)", () => {
  it("takes an IP, host:port, a ws:// URL and the board's <hostname>.local name", () => {
    expect(parseAddress("192.168.1.42")).to.deep.equal({
      host: "192.168.1.42",
      port: 80,
      path: "/ws",
    });
    expect(parseAddress("esp32-echo.local")).to.deep.equal({
      host: "esp32-echo.local",
      port: 80,
      path: "/ws",
    });
    expect(parseAddress("esp32-echo-2.local:8080")).to.include({ port: 8080, path: "/ws" });
    expect(parseAddress("ws://esp32-echo.local/api")).to.include({
      host: "esp32-echo.local",
      path: "/api",
    });
  });

  it("writes an address back as a URL, an IPv6 host in brackets", () => {
    expect(addressUrl(parseAddress("192.168.1.42"))).to.equal("ws://192.168.1.42:80/ws");
    expect(addressUrl(parseAddress("ws://[::1]:8080/api"))).to.equal("ws://[::1]:8080/api");
  });

  it("says what it expected for what it cannot read", () => {
    expect(() => parseAddress("http://x/ws")).to.throw("only ws://");
    expect(() => parseAddress("a b")).to.throw("esp32-echo.local");
  });
});
