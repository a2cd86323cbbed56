// The opening handshake request a valid client of the target sends (tools/wire's upgradeRequest
// with the target's host, port, path and token), with `options` (headers, key, method, path…)
// changing it: the bad handshakes of the tests are made from it.
import { upgradeRequest } from "../../tools/wire/opening-handshake.js";
import { target } from "./target.js";

export function targetUpgrade(options = {}, t = target) {
  return upgradeRequest({ host: t.host, port: t.port, path: t.path, token: t.token, ...options });
}
