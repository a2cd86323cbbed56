// The server the comparison runs against: the firmware on the platform layer, started here on a
// free port with tick=<ms>, or a running one (a board) that ticks already (limits.tick > 0).
import { startFirmware } from "../platform/index.js";
import { parseAddress, urlHost } from "../wire/address.js";
import { httpRequest, plainGet } from "../wire/raw-http.js";
import { UsageError } from "../wire/usage-error.js";

/** GET /status (with the token, when there is one), parsed. */
export async function readStatus(server, token) {
  const request = plainGet({ ...server, token }, "/status", { Connection: "close" });
  const response = await httpRequest(server, request, {
    timeoutMs: 5000,
    closeWaitMs: 0,
  });
  if (response.status !== 200) {
    const hint =
      response.status !== 401
        ? ""
        : token
          ? " (the token given with --token is not the server's)"
          : " (the server has a token: give it with --token)";
    throw new Error(`GET /status answered "${response.statusLine}"${hint}`);
  }
  try {
    return JSON.parse(Buffer.from(response.body, "latin1").toString("utf8"));
  } catch (error) {
    throw new Error(`GET /status: the body is not JSON (${error.message})`, { cause: error });
  }
}

/**
 * @param {{ address?: { host: string, port: number } | null, engine?: "xs" | "node",
 *   tickMs: number, token?: string }} options `address`: a running server's, else the firmware
 *   is started here with tick=<tickMs>
 * @returns {Promise<{ host: string, port: number, tickMs: number, label: string,
 *   stop(): Promise<unknown> }>} throws UsageError for a server that does not tick
 */
export async function openTarget({ address, engine, tickMs, token }) {
  if (address) {
    const status = await readStatus(address, token);
    const tick = status.limits?.tick;
    if (!(tick > 0)) {
      throw new UsageError(
        `the server at ${urlHost(address.host)}:${address.port} pushes no ticks (GET /status: ` +
          `limits.tick is ${tick ?? "missing"}): flash it with tick=<ms> (mcconfig … tick=500) ` +
          "or start it with tick=<ms> (npm start -- tick=500)",
      );
    }
    return {
      ...address,
      tickMs: tick,
      label: `the server at ${urlHost(address.host)}:${address.port} (${status.engine ?? "?"})`,
      stop: async () => {},
    };
  }
  const firmware = await startFirmware({ overrides: ["port=0", `tick=${tickMs}`], engine });
  try {
    const { host, port } = parseAddress(firmware.url, { defaultPort: firmware.port });
    const status = await readStatus({ host, port }, token);
    if (status.limits?.tick !== tickMs)
      throw new Error(
        `the firmware started with tick=${tickMs} reports limits.tick ${status.limits?.tick}`,
      );
    return {
      host,
      port,
      tickMs,
      label: `the firmware on the platform layer (${status.engine})`,
      stop: () => firmware.stop(),
    };
  } catch (error) {
    await firmware.stop();
    throw error;
  }
}
