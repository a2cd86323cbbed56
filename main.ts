/*
 * ESP32 WebSocket echo server: the board's whole behaviour, in one screen.
 *
 * Build and flash:  mcconfig -d -m -p esp32 ssid=<wifi> password=<password>
 * Then connect:     ws://<board-ip>/ws  (the board prints the address when it is ready)
 * Settings (port, limits, timeouts) are in manifest.json "config"; override them as key=value.
 */
import { CommandChannel } from "api/command-channel";
import { param } from "api/params";
import { Button } from "device/button";
import { Light } from "device/light";
import { advertise } from "discovery";
import { describeHeap } from "memory";
import Net from "net";
import settings from "settings";
import { describeStatus, statusReply } from "status";
import Timer from "timer";
import { consolePage } from "web-console";
import { WebSocketServer } from "websocket/server";

// Three WebSocket endpoints: settings.path ("/ws") echoes, "/broadcast" relays to everyone on it,
// "/api" takes commands. The server pings every client and drops those that stop answering.
const server = new WebSocketServer({ ...settings, paths: [settings.path, "/broadcast", "/api"] });

// /api: {"id": 1, "cmd": "light", "on": true} → {"id": 1, "ok": true, "light": {"on": true}}, and
// events pushed to every /api client. A command is one function; {"cmd": "help"} lists them.
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

// The BOOT button: pressing it pushes an event to every /api client.
const button = new Button({
  pin: settings.buttonPin,
  onChange: (pressed) => api.event({ event: "button", pressed }),
});

server.onMessage = (client, message) => {
  if (client.path === "/api") {
    api.handle(client, message);
  } else if (client.path === "/broadcast") {
    // Broadcast: the server keeps the list of clients and sends to each, the sender included.
    server.broadcast(message, "/broadcast");
  } else if (message === "Trigger async") {
    // Server push: nothing asked for this message; the server sends it later, on its own.
    Timer.set(() => client.send("Async data"), 100);
  } else if (message === "Ping") {
    client.ping(); // a ping frame from the server; the client's WebSocket answers with a pong
  } else {
    client.send(message); // echo, to the sender only, same type (text or binary)
  }
};

// With tick=<ms>, the server pushes "tick 1", "tick 2", … to every /broadcast client.
let ticks = 0;
if (settings.tick > 0)
  Timer.repeat(() => server.broadcast(`tick ${++ticks}`, "/broadcast"), settings.tick);

// GET /status: uptime, connected clients and their traffic, limits, memory, light and button.
server.route("/status", () => statusReply(server, settings, device()), { requiresToken: true });
server.route("/", consolePage); // GET /: the web console page (open; it asks for the token itself)
function boardStatus() {
  return describeStatus(server, settings, device());
}
function device() {
  return {
    light: { on: light.on, pin: light.pin, level: light.level },
    button: { pressed: button.pressed, pin: button.pin },
  };
}

// Each connection costs memory: the log shows the clients and the heap in use (debug builds).
server.onConnection = (client) => {
  trace(
    `client #${client.id} connected to ${client.path} from ${client.remoteAddress}; ${census()}\n`,
  );
};
server.onClose = (client, code) => {
  trace(`client #${client.id} left (${code}); ${census()}\n`);
};
function census(): string {
  const heap = describeHeap();
  return `${server.clients.size} connected${heap ? `, ${heap}` : ""}`;
}

// The address to connect to, and the same by name once mDNS has claimed <hostname>.local.
const host = Net.get("IP") || "127.0.0.1";
const port = server.port === 80 ? "" : `:${server.port}`;
trace(`WebSocket echo server ready: ws://${host}${port}${settings.path}\n`);
advertise(settings.hostname, server.port, (name) => {
  trace(`also at ws://${name}.local${port}${settings.path} and http://${name}.local${port}/\n`);
});
