// lwip's limits and its pools of protocol control blocks, shared by Listener and TCP.
import { SDK_DEFAULTS } from "../manifest/lwip-settings.js";

/** The limits in force; boot sets them from the manifest's sdkconfig and the environment. */
export const limits = {
  maxActiveTcp: SDK_DEFAULTS.CONFIG_LWIP_MAX_ACTIVE_TCP,
  maxListeningTcp: SDK_DEFAULTS.CONFIG_LWIP_MAX_LISTENING_TCP,
  mss: SDK_DEFAULTS.CONFIG_LWIP_TCP_MSS,
  sendBuffer: SDK_DEFAULTS.CONFIG_LWIP_TCP_SND_BUF_DEFAULT,
  receiveWindow: SDK_DEFAULTS.CONFIG_LWIP_TCP_WND_DEFAULT,
};

/** Pool use: active TCP PCBs (MEMP_NUM_TCP_PCB) and listening ones (MEMP_NUM_TCP_PCB_LISTEN). */
export const pools = { activeTcp: 0, listeningTcp: 0 };

export function configureLimits(settings) {
  Object.assign(limits, settings);
}
