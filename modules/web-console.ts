/*
 * GET /: a web console served by the board itself, one small HTML page with its CSS and script
 * inline (the board may be on a network without internet): it connects to the server's WebSocket
 * endpoints, sends text, logs both ways and drives the light over the command channel.
 */
import type { HttpReply } from "http/response";
import type { Server } from "server";

/** A value as JavaScript source that is safe inside a <script> element. */
function scriptValue(value: unknown): string {
  return JSON.stringify(value).split("<").join("\\u003c");
}

/**
 * The page, for these endpoint paths and the command channel's path: one template in flash, the
 * paths going in at its two substitutions. Its script is otherwise only text to the firmware: write
 * it without backticks and without another dollar sign followed by a brace. When the board has a
 * `token`, GET /status answers 401: the page then asks for the token, keeps it in sessionStorage
 * and connects with ?token=….
 */
function consoleHtml(endpoints: readonly string[], commands: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>ESP32 WebSocket console</title><link rel="icon" href="data:,">
<style>
body{font:15px system-ui,sans-serif;max-width:48em;margin:0 auto;padding:1em;color:#222;background:#f5f6f8}
h1{font-size:1.25em;margin:0 0 .5em}h1 small{font-weight:400;color:#777;margin-left:.5em}
.row{display:flex;gap:.5em;align-items:center;flex-wrap:wrap;margin:.6em 0}
[hidden]{display:none!important}
button,select,input{font:inherit;padding:.3em .7em;border:1px solid #bbb;border-radius:6px;background:#fff}
button{cursor:pointer}button:disabled{opacity:.45;cursor:default}
#text,#token{flex:1;min-width:10em}
#state{padding:.15em .7em;border-radius:1em;background:#e4e4e4}
#state.open{background:#cdeccf}#state.connecting{background:#f8eab0}#state.closed{background:#f4d2d2}
.panel{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.2em .7em}
#light{font-weight:600;min-width:4em}#light:before{content:"● ";color:#bbb}#light.on:before{color:#f0a800}
#log{height:22em;overflow-y:auto;margin:.6em 0;padding:.3em .6em;font:13px ui-monospace,monospace;list-style:none}
#log li{white-space:pre-wrap;word-break:break-all;padding:.15em 0;border-bottom:1px solid #f0f0f0}
time{color:#999;margin-right:.7em}
.sent{color:#1450b0}.received{color:#106b30}.event{color:#8a5a00}.info{color:#666}.error{color:#b00020}
</style></head><body>
<h1>ESP32 WebSocket console<small id="host"></small></h1>
<div class="row"><select id="path"></select>
<button id="connect">Connect</button><button id="disconnect">Disconnect</button>
<span id="state" class="closed">closed</span></div>
<form id="auth" class="row" hidden><label for="token">This board needs a token:</label>
<input id="token" type="password" autocomplete="off"><button>Use token</button></form>
<div class="row panel">Light: <span id="light">unknown</span>
<button id="on">Light on</button><button id="off">Light off</button><span id="button"></span></div>
<form id="send" class="row"><input id="text" autocomplete="off"
placeholder='a message; on /api e.g. {"cmd": "help"}'><button id="go">Send</button></form>
<ol id="log" class="panel"></ol>
<button id="clear">Clear log</button>
<script>
"use strict";
var $ = function (id) { return document.getElementById(id); };
var endpoints = ${scriptValue(endpoints)}, commands = ${scriptValue(commands)};
var ws = null, path = "", nextId = 1, token = sessionStorage.getItem("token") || "";

function log(kind, text) {
  var d = new Date(), li = document.createElement("li"), t = document.createElement("time");
  t.textContent = d.toTimeString().slice(0, 8) + "." + String(d.getMilliseconds()).padStart(3, "0");
  li.className = kind;
  li.append(t, text);
  var box = $("log");
  box.append(li);
  if (box.children.length > 500) box.firstChild.remove();
  box.scrollTop = box.scrollHeight;
}
function setState(kind, text) {
  $("state").className = kind;
  $("state").textContent = text;
  $("connect").textContent = kind === "closed" ? "Connect" : "Reconnect";
  $("disconnect").disabled = kind === "closed";
  $("go").disabled = kind !== "open";
  $("on").disabled = $("off").disabled = kind !== "open" || path !== commands;
  $("on").title = $("off").title = path === commands ? "" : "connect to " + commands + " first";
}
function showLight(on) {
  $("light").textContent = on ? "on" : "off";
  $("light").className = on ? "on" : "off";
}
function query() {
  return token ? "?token=" + encodeURIComponent(token) : "";
}

function connect() {
  if (ws) {
    ws.onclose = ws.onmessage = null;
    ws.close(1000);
    log("info", "closed " + path + " (reconnecting)");
  }
  path = $("path").value;
  var s = (ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + path + query()));
  var opened = false;
  s.binaryType = "arraybuffer";
  setState("connecting", "connecting to " + path);
  log("info", "connecting to " + path);
  s.onopen = function () {
    opened = true;
    setState("open", "open " + path);
    log("info", "open " + path);
  };
  s.onmessage = function (e) { received(e.data); };
  s.onclose = function (e) {
    ws = null;
    setState("closed", "closed (" + e.code + ")");
    log(opened ? "info" : "error", "closed " + e.code + (e.reason ? " " + e.reason : "") + (opened ? "" : ": could not connect"));
    if (!opened) checkAccess(false);
  };
}
function received(data) {
  if (typeof data !== "string") return log("received", "← binary, " + data.byteLength + " bytes");
  var kind = "received", m = null;
  try { if (path === commands) m = JSON.parse(data); } catch (e) {}
  var light = m && (m.light || (m.status && m.status.light)); // light and status replies
  if (light) showLight(light.on);
  if (m && m.event) kind = "event";
  if (m && m.event === "light") showLight(m.on);
  if (m && m.event === "button") $("button").textContent = "Button: " + (m.pressed ? "pressed" : "released");
  if (m && m.ok === false) kind = "error";
  log(kind, "← " + data);
}
function send(text) {
  if (!ws || ws.readyState !== 1) return log("error", "not connected");
  ws.send(text);
  log("sent", "→ " + text);
}

// GET /status: 401 means the board wants a token; otherwise it tells the light's state.
function checkAccess(thenConnect) {
  var headers = token ? { Authorization: "Bearer " + token } : {};
  fetch("/status", { headers: headers, cache: "no-store" }).then(function (r) {
    if (r.status === 401) return askToken();
    $("auth").hidden = true;
    if (r.ok) r.json().then(function (s) { if (s.light) showLight(s.light.on); }, function () {});
    if (thenConnect) connect();
  }, function () { if (thenConnect) connect(); });
}
function askToken() {
  log("error", token ? "the board refused this token" : "this board needs a token");
  token = "";
  sessionStorage.removeItem("token");
  setState("closed", "token needed");
  $("auth").hidden = false;
  $("token").focus();
}

$("auth").onsubmit = function (e) {
  e.preventDefault();
  token = $("token").value.trim();
  sessionStorage.setItem("token", token);
  checkAccess(true);
};
$("send").onsubmit = function (e) {
  e.preventDefault();
  if ($("text").value) send($("text").value);
  $("text").value = "";
};
$("on").onclick = function () { send(JSON.stringify({ id: nextId++, cmd: "light", on: true })); };
$("off").onclick = function () { send(JSON.stringify({ id: nextId++, cmd: "light", on: false })); };
$("path").onchange = $("connect").onclick = connect;
$("disconnect").onclick = function () { if (ws) ws.close(1000); };
$("clear").onclick = function () { $("log").textContent = ""; };
endpoints.forEach(function (p) {
  var option = document.createElement("option");
  option.textContent = p;
  $("path").append(option);
});
$("host").textContent = location.host;
setState("closed", "closed");
checkAccess(true);
</script></body></html>`;
}

/**
 * The GET / route: the console page, listing the server's WebSocket endpoints (as they are when
 * the page is served) and driving the light over the endpoint at `commands`.
 */
export function consolePage(server: Server, commands: string): () => HttpReply {
  return () => ({
    status: 200,
    body: consoleHtml(
      server.endpoints.map((endpoint) => endpoint.path),
      commands,
    ),
    contentType: "text/html; charset=utf-8",
    headers: [["Cache-Control", "no-cache"]],
  });
}
