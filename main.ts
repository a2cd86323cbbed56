/*
 * ESP32 WebSocket echo server: the board's whole behaviour, in one screen.
 *
 * Build and flash:  mcconfig -d -m -p esp32 ssid=<wifi> password=<password>
 * Then connect:     ws://<board-ip>/ws  (the board prints the address when it is ready)
 * Settings (port, limits, timeouts) are in manifest.json "config"; override them as key=value.
 */
import { describeHeap } from "memory";
import Net from "net";
import settings from "settings";
import { statusReply } from "status";
import Timer from "timer";
import { WebSocketServer } from "websocket/server";

// Two WebSocket endpoints: settings.path ("/ws") echoes, "/broadcast" relays to everyone on it.
// The server pings every client and drops those that stop answering (settings.pingInterval).
const server = new WebSocketServer({ ...settings, paths: [settings.path, "/broadcast"] });

server.onMessage = (client, message) => {
  if (client.path === "/broadcast") {
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

// GET /status: uptime, connected clients and their traffic, limits, memory (JSON).
server.route("/status", () => statusReply(server, settings));

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

const host = Net.get("IP") || "127.0.0.1";
const port = server.port === 80 ? "" : `:${server.port}`;
trace(`WebSocket echo server ready: ws://${host}${port}${settings.path}\n`);
