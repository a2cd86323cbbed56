// The board's endpoints, in the order the lesson meets them: edit away, `npm run dev` restarts it
// on every save. Settings are key=value: npm start -- tick=1000, mcconfig … ssid=… token=….
import { CommandChannel } from "api/command-channel";
import { param } from "api/params";
import { Button } from "device/button";
import { Light } from "device/light";
import { announce } from "discovery";
import { jsonReply } from "http/response";
import { census } from "memory";
import { Network } from "network";
import { Server } from "server";
import settings from "settings";
import { describeStatus } from "status";
import Timer from "timer";
import { Ticker } from "ticker";
import { consolePage } from "web-console";

const network = new Network(); // first: on a board it starts the network stack the server needs
const server = new Server(settings);
// The board's devices: a light (GPIO 2: the DevKit's LED) and the BOOT button (GPIO 0).
const light = new Light({ pin: settings.lightPin, activeLow: settings.lightActiveLow });
const button = new Button({
  pin: settings.buttonPin,
  onChange: (pressed) => api.event({ event: "button", pressed }),
});

// 1. ws://<ip>/ws: a channel both ways. What a client sends comes back to it alone, passed on
//    part by part as it arrives, so a message of any length costs the board one read.
server.websocket(settings.path, {
  onMessagePart(client, part) {
    // 2. The board speaks unasked: "Trigger async" gets "Async data" 100 ms later, a push.
    // 4. "Ping" has the board ping this client now; the client's WebSocket answers with a pong.
    const text = part.wholeText(); // a short text message, whole; else undefined
    if (text === "Trigger async") Timer.set(() => client.send("Async data"), 100);
    else if (text === "Ping") client.ping();
    else client.sendPart(part);
  },
});

// 3. ws://<ip>/broadcast: every message to every client of it, sender included (server.broadcast
//    is the loop over the clients). With tick=<ms> the board pushes "tick <n>" on its own too, and
//    http://<ip>/tick is the same news for a client that must poll for it.
const broadcast = server.websocket("/broadcast", {
  onMessageBytes: (_, bytes, isText) => broadcast.sendBytes(bytes, isText), // no copy to a string
});
const ticker = new Ticker(broadcast, settings.tick, server.startedAt);
server.route("/tick", () => ticker.reply());

// 4. The server pings every client (pingInterval) and drops one that stops answering (pingTimeout).
// 5. Each connection costs memory: the log shows clients and heap; idleTimeout=<ms> closes the idle.
const log = (what: string) => trace(`${what}; ${census(server.clients.size)}\n`);
server.onConnection = (c) => log(`client #${c.id} connected to ${c.path} from ${c.remoteAddress}`);
server.onClose = (c, code) => log(`client #${c.id} left (${code})`);
// 6. Who may connect: with token=<secret>, every WebSocket upgrade and GET /status must carry it
//    (Authorization: Bearer <secret>, or ?token=<secret>) or gets 401.

// 7. How a client asks the board to switch on a light: ws://<ip>/api takes JSON commands,
//    {"id": 1, "cmd": "light", "on": true}, and tells every /api client what changed.
const api = new CommandChannel(server, { path: "/api", maxRequestSize: settings.maxRequestSize });
const toggle = param.optional(param.oneOf(true, false, "toggle"));
api.command("light", "switches the light on, off or over", { on: toggle }, ({ on }, client) => {
  if (on !== undefined && light.set(on === "toggle" ? !light.on : on))
    api.event({ event: "light", on: light.on, by: client.id }); // every /api client sees it
  return { light: { on: light.on } };
});
api.command("status", "what GET /status says", {}, () => ({ status: status() }));
api.command("echo", "sends text back", { text: param.text }, ({ text }) => ({ text }));
api.command("add", "adds two numbers", { a: param.number, b: param.number }, ({ a, b }) => ({
  sum: a + b, // a command needs no hardware: this is all it takes to add one
}));

// http://<ip>/status: clients and their traffic, limits, memory, light and button;
// http://<ip>/: the web console, two clients side by side.
const status = () => describeStatus(server, settings, { light: light.state, button: button.state });
server.route("/status", () => jsonReply(status()), { requiresToken: true });
server.route("/", consolePage(server, api.path));
announce(network, server.port, settings);
