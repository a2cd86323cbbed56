/*
 * ESP32 WebSocket echo server: the board's whole behaviour, in one screen.
 *
 * Build and flash:  mcconfig -d -m -p esp32 ssid=<wifi> password=<password>
 * Then connect:     ws://<board-ip>/ws  (the board prints the address when it is ready)
 * Settings (port, path, limits) are in manifest.json "config"; override them as key=value.
 */
import { describeHeap } from "memory";
import Net from "net";
import settings from "settings";
import { WebSocketServer } from "websocket/server";

// Port, limits and timeouts come from settings; one WebSocket endpoint, settings.path ("/ws").
const server = new WebSocketServer({ ...settings, paths: [settings.path] });

// Echo: each message goes back to the client that sent it, and only to that client, with the
// same type (text stays text, binary stays binary).
server.onMessage = (client, message) => {
  client.send(message);
};

// Each connection costs memory: the log shows the clients and the heap in use (debug builds).
server.onConnection = (client) => {
  trace(`client #${client.id} connected from ${client.remoteAddress}; ${census()}\n`);
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
