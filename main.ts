/*
 * ESP32 WebSocket echo server: the board's endpoints and what each one does, in one screen.
 *
 * Build and flash:  mcconfig -d -m -p esp32 ssid=<wifi> password=<password>
 * Then connect:     ws://<board-ip>/ws  (the board prints the address when it is ready)
 * Settings (port, limits, timeouts) are in manifest.json "config"; override them as key=value.
 */
import { CommandChannel } from "api/command-channel";
import { param } from "api/params";
import { Button } from "device/button";
import { Light } from "device/light";
import { announce } from "discovery";
import { census } from "memory";
import { Network } from "network";
import settings from "settings";
import { describeStatus, statusReply } from "status";
import Timer from "timer";
import { consolePage } from "web-console";
import { jsonReply } from "http/response";
import { Server } from "server";

const network = new Network(); // first: on a board it starts the network stack the server needs
const server = new Server(settings); // pings every client, drops the silent ones

// ws://<ip>/ws: echo, to the sender only, same type, each part as it arrives (a message of any
// length costs the board one read).
server.websocket(settings.path, {
  onMessagePart(client, part) {
    const text = part.wholeText(); // a short text message, whole
    if (text === "Trigger async")
      Timer.set(() => client.send("Async data"), 100); // a push
    else if (text === "Ping")
      client.ping(); // the client's WebSocket answers with a pong
    else client.sendPart(part);
  },
});

// ws://<ip>/broadcast: every message to every client of it, sender included, passed on as bytes.
// With tick=<ms> the server pushes "tick 1", "tick 2", … on its own; http://<ip>/tick is the
// same news for a client that polls: {"tick": n, "at": ms since start, "now": ms since start}.
const broadcast = server.websocket("/broadcast", {
  onMessageBytes: (_, bytes, isText) => broadcast.sendBytes(bytes, isText),
});
let ticks = 0;
let tickAt: number | null = null;
const uptime = () => Date.now() - server.startedAt;
if (settings.tick > 0)
  Timer.repeat(() => {
    tickAt = uptime();
    broadcast.send(`tick ${++ticks}`);
  }, settings.tick);
server.route("/tick", () => jsonReply({ tick: ticks, at: tickAt, now: uptime() }));

// ws://<ip>/api: {"id": 1, "cmd": "light", "on": true} → {"id": 1, "ok": true, "light": …}, and
// events to every /api client. A command is one function; {"cmd": "help"} lists them.
const api = new CommandChannel(server, { path: "/api", maxRequestSize: settings.maxRequestSize });
const light = new Light({ pin: settings.lightPin, activeLow: settings.lightActiveLow });
const toggle = param.optional(param.oneOf(true, false, "toggle"));
api.command("light", "switches the light on, off or over", { on: toggle }, ({ on }, client) => {
  const next = on === "toggle" ? !light.on : (on ?? light.on);
  if (next !== light.on) {
    light.set(next);
    api.event({ event: "light", on: next, by: client.id }); // every /api client sees it
  }
  return { light: { on: light.on } };
});
api.command("status", "what GET /status says", {}, () => ({ status: boardStatus() }));
api.command("echo", "sends text back", { text: param.text }, ({ text }) => ({ text }));
api.command("add", "adds two numbers", { a: param.number, b: param.number }, ({ a, b }) => ({
  sum: a + b, // a command needs no hardware: this is all it takes to add one
}));
const button = new Button({
  pin: settings.buttonPin, // the BOOT button: pressing it is an event for every /api client
  onChange: (pressed) => api.event({ event: "button", pressed }),
});

// http://<ip>/status: uptime, clients and their traffic, limits, memory, light and button;
// http://<ip>/: the web console (open: it asks for the token itself).
const device = () => ({ light: light.state, button: button.state });
const boardStatus = () => describeStatus(server, settings, device());
server.route("/status", () => statusReply(server, settings, device()), { requiresToken: true });
server.route("/", consolePage(server, api.path));

// Each connection costs memory: the log shows the clients and the heap in use (debug builds).
const log = (what: string) => trace(`${what}; ${census(server.clients.size)}\n`);
server.onConnection = (c) => log(`client #${c.id} connected to ${c.path} from ${c.remoteAddress}`);
server.onClose = (c, code) => log(`client #${c.id} left (${code})`);
announce(network, server.port, settings);
