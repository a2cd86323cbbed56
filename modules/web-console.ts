/*
 * GET /: a web console served by the board itself, one small HTML page with its CSS and script
 * inline (the board may be on a network without internet). Two clients side by side, each with
 * its endpoint, its connection, its log and its input, show what /ws and /broadcast do with two
 * clients; a board panel shows GET /status (the clients, their counters, the memory figures) and
 * drives the light over the command channel. A connection that drops without being asked to
 * close is opened again, 1 s later, then 2, 4, 8 and every 10 s until the board answers.
 */
import type { HttpReply } from "http/response";
import type { Server } from "server";

/**
 * The page, but for its last line: one string, made once when the module is preloaded, so that
 * it lives in flash with the module. Its script is text to the firmware: it has no backtick and
 * no dollar sign followed by a brace. It ends with a call to start(), which the route completes
 * with the server's endpoints and the command channel's path (consoleHtml), so that serving the
 * page makes one string of the page's size: this one and that small tail, joined.
 *
 * The script: two clients (panes A and B), each with its endpoint, connection, log and input; A
 * connects to the first endpoint on load, B when asked. A connection that drops without the user
 * closing it is opened again after 1 s, then 2, 4, 8 and every 10 s until the board answers. The
 * board panel polls GET /status every 2 s while the page is visible (and soon after a connection
 * opens or closes), one request at a time, on the connection the browser keeps to the board. When
 * the board has a `token`, GET /status answers 401: the page then asks for the token, keeps it in
 * sessionStorage, sends it to /status as Authorization: Bearer and connects with ?token=….
 */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>ESP32 WebSocket console</title><link rel="icon" href="data:,">
<style>
body{font:15px system-ui,sans-serif;max-width:76em;margin:0 auto;padding:1em;color:#222;background:#f5f6f8}
h1{font-size:1.25em;margin:0 0 .5em}h2{font-size:1.05em;margin:.3em 0}small{font-weight:400;color:#777;margin-left:.5em}
.row{display:flex;gap:.5em;align-items:center;flex-wrap:wrap;margin:.5em 0}
[hidden]{display:none!important}
button,select,input{font:inherit;padding:.3em .6em;border:1px solid #bbb;border-radius:6px;background:#fff}
button{cursor:pointer}button:disabled{opacity:.45;cursor:default}
input{flex:1;min-width:8em}
.panes{display:flex;gap:1em;flex-wrap:wrap}.pane{flex:1 1 24em;min-width:0}
.panel{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.2em .7em;margin:.5em 0}
.state{padding:.1em .6em;border-radius:1em;background:#f4d2d2}
.state.open{background:#cdeccf}.state.connecting,.state.retrying{background:#f8eab0}
#light{font-weight:600}#light:before{content:"● ";color:#bbb}#light.on:before{color:#f0a800}
.log{height:20em;overflow-y:auto;padding:.3em .6em;font:13px ui-monospace,monospace;list-style:none}
.log li{white-space:pre-wrap;word-break:break-all;padding:.15em 0;border-bottom:1px solid #f0f0f0}
time{color:#999;margin-right:.7em}
.sent{color:#1450b0}.received{color:#106b30}.event{color:#8a5a00}.info{color:#666}.error{color:#b00020}
table{border-collapse:collapse;font-size:14px}td,th{padding:.15em .6em;text-align:right}
td:nth-child(2),th{text-align:left}#memory{display:flex;flex-wrap:wrap;gap:0 1.2em}#memory span{white-space:nowrap}#memory b{font-weight:600}
</style></head><body>
<h1>ESP32 WebSocket console<small id="host"></small></h1>
<form id="auth" class="row" hidden><label for="token">This board needs a token:</label>
<input id="token" type="password" autocomplete="off"><button>Use token</button></form>
<div class="panes" id="panes"></div>
<section class="panel" id="board"><h2>Board<small id="up"></small></h2>
<div class="row">Light: <span id="light">unknown</span>
<button id="on">Light on</button><button id="off">Light off</button><span id="button"></span></div>
<table><thead><tr><th>id</th><th>path</th><th>msgs in</th><th>msgs out</th><th>bytes in</th><th>bytes out</th><th>queued</th></tr></thead>
<tbody id="clients"></tbody></table>
<p id="memory"></p></section>
<template id="pane"><section class="pane panel"><h2></h2>
<div class="row"><select></select><button class="connect">Connect</button><button class="disconnect">Disconnect</button>
<span class="state">closed</span></div>
<form class="row"><input autocomplete="off" placeholder='a message; on /api e.g. {"cmd": "help"}'><button class="send">Send</button></form>
<ol class="log panel"></ol><button class="clear">Clear log</button></section></template>
<script>
"use strict";
var $ = function (id) { return document.getElementById(id); };
var endpoints = [], commands = "";
var token = sessionStorage.getItem("token") || "", nextId = 1, needToken = false, panes = [];
var base = (location.protocol === "https:" ? "wss://" : "ws://") + location.host;

function log(p, kind, text) {
  var d = new Date(), li = document.createElement("li"), t = document.createElement("time");
  t.textContent = d.toTimeString().slice(0, 8) + "." + String(d.getMilliseconds()).padStart(3, "0");
  li.className = kind;
  li.append(t, text);
  p.log.append(li);
  if (p.log.children.length > 500) p.log.firstChild.remove();
  p.log.scrollTop = p.log.scrollHeight;
}
function setState(p, kind, text) {
  p.state.className = "state " + kind;
  p.state.textContent = text;
  p.q(".connect").textContent = kind === "closed" ? "Connect" : "Reconnect";
  p.q(".disconnect").disabled = kind === "closed";
  p.q(".send").disabled = kind !== "open";
  var api = apiPane();
  $("on").disabled = $("off").disabled = !api;
  $("on").title = $("off").title = api ? "" : "connect a client to " + commands + " first";
}
function apiPane() {
  return panes.filter(function (p) { return p.ws && p.ws.readyState === 1 && p.path === commands; })[0];
}
function showLight(on) {
  $("light").textContent = on ? "on" : "off";
  $("light").className = on ? "on" : "off";
}

function Pane(name) {
  var p = this, el = $("pane").content.firstElementChild.cloneNode(true);
  p.q = function (s) { return el.querySelector(s); };
  p.ws = null; p.path = ""; p.want = false; p.timer = 0; p.delay = 1000;
  p.log = p.q(".log"); p.state = p.q(".state"); p.sel = p.q("select");
  el.id = name.toLowerCase();
  p.q("h2").textContent = "Client " + name;
  endpoints.forEach(function (path) {
    var option = document.createElement("option");
    option.textContent = path;
    p.sel.append(option);
  });
  p.q("form").onsubmit = function (e) {
    e.preventDefault();
    var input = p.q("input");
    if (input.value) send(p, input.value);
    input.value = "";
  };
  p.sel.onchange = p.q(".connect").onclick = function () { connect(p, false); };
  p.q(".disconnect").onclick = function () {
    p.want = false;
    clearTimeout(p.timer);
    if (p.ws) p.ws.close(1000);
    else setState(p, "closed", "closed");
  };
  p.q(".clear").onclick = function () { p.log.textContent = ""; };
  $("panes").append(el);
  panes.push(p);
  setState(p, "closed", "closed");
}

function connect(p, retry) {
  clearTimeout(p.timer);
  if (p.ws) {
    p.ws.onclose = p.ws.onmessage = null;
    p.ws.close(1000);
    log(p, "info", "closed " + p.path + " (reconnecting)");
  }
  if (!retry) p.delay = 1000;
  p.want = true;
  p.path = p.sel.value;
  var s = (p.ws = new WebSocket(base + p.path + (token ? "?token=" + encodeURIComponent(token) : "")));
  var opened = false;
  s.binaryType = "arraybuffer";
  setState(p, "connecting", "connecting to " + p.path);
  if (!retry) log(p, "info", "connecting to " + p.path);
  s.onopen = function () {
    opened = true;
    p.delay = 1000;
    setState(p, "open", "open " + p.path);
    log(p, "info", (retry ? "reconnected to " : "open ") + p.path);
    soon();
  };
  s.onmessage = function (e) { received(p, e.data); };
  s.onclose = function (e) {
    var what = opened ? "closed " + e.code + (e.reason ? " " + e.reason : "") : "could not connect (" + e.code + ")";
    p.ws = null;
    soon();
    if (!p.want || needToken) {
      log(p, opened ? "info" : "error", what);
      return setState(p, "closed", needToken ? "token needed" : "closed (" + e.code + ")");
    }
    // Not closed by the user: the board restarted, or went away. Try again, less and less often.
    var wait = p.delay;
    p.delay = Math.min(wait * 2, 10000);
    p.timer = setTimeout(function () { connect(p, true); }, wait);
    setState(p, "retrying", "reconnecting in " + wait / 1000 + " s");
    log(p, opened ? "info" : "error", what + ": reconnecting to " + p.path + " in " + wait / 1000 + " s");
  };
}
function received(p, data) {
  if (typeof data !== "string") return log(p, "received", "← binary, " + data.byteLength + " bytes");
  var kind = "received", m = null;
  try { if (p.path === commands) m = JSON.parse(data); } catch (e) {}
  var light = m && (m.light || (m.status && m.status.light)); // light and status replies
  if (light) showLight(light.on);
  if (m && m.event) kind = "event";
  if (m && m.event === "light") showLight(m.on);
  if (m && m.event === "button") showButton(m.pressed);
  if (m && m.ok === false) kind = "error";
  log(p, kind, "← " + data);
}
function send(p, text) {
  if (!p.ws || p.ws.readyState !== 1) return log(p, "error", "not connected");
  p.ws.send(text);
  log(p, "sent", "→ " + text);
}
function showButton(pressed) {
  $("button").textContent = "Button: " + (pressed ? "pressed" : "released");
}

// GET /status: 401 means the board wants a token; otherwise it tells the clients, the memory
// figures and the light. One request at a time; one asked for meanwhile follows it.
var busy = false, again = 0, soonTimer = 0;
function check(thenConnect) {
  if (busy) return (again = Math.max(again, thenConnect ? 2 : 1));
  busy = true;
  fetch("/status", { headers: token ? { Authorization: "Bearer " + token } : {}, cache: "no-store" }).then(function (r) {
    if (r.status === 401) return askToken();
    $("auth").hidden = true;
    needToken = false;
    if (thenConnect) panes.forEach(function (p) { if (p.want && !p.ws) connect(p, false); });
    return r.ok && r.json().then(showStatus);
  }).catch(function () {
    $("up").textContent = "not answering";
    if (thenConnect) panes.forEach(function (p) { if (p.want && !p.ws) connect(p, false); });
  }).then(function () {
    busy = false;
    var next = again;
    again = 0;
    if (next) check(next === 2);
  });
}
function soon() {
  clearTimeout(soonTimer);
  soonTimer = setTimeout(check, 300, false);
}
function showStatus(s) {
  $("up").textContent = (s.engine ? s.engine + ", " : "") + "up " + Math.round(s.uptime / 1000) + " s";
  if (s.light) showLight(s.light.on);
  if (s.button) showButton(s.button.pressed);
  var rows = $("clients");
  rows.textContent = "";
  (s.clients || []).forEach(function (c) {
    var tr = rows.insertRow();
    [c.id, c.path, c.messagesIn, c.messagesOut, c.bytesIn, c.bytesOut, c.queuedBytes].forEach(function (v) {
      tr.insertCell().textContent = v == null ? "" : v;
    });
  });
  if (!rows.rows.length) rows.insertRow().insertCell().textContent = "no clients";
  var memory = $("memory"), m = s.memory || {}, b = s.buffers;
  memory.textContent = "";
  if (b) m = Object.assign({ "buffers held": b.held, "buffers peak": b.peak, "buffers limit": b.limit }, m);
  Object.keys(m).forEach(function (key) {
    if (m[key] === null) return;
    var span = document.createElement("span"), v = document.createElement("b");
    v.textContent = m[key];
    span.append(key + " ", v);
    memory.append(span);
  });
}
function askToken() {
  needToken = true;
  panes.forEach(function (p) {
    clearTimeout(p.timer);
    if (!p.ws) setState(p, "closed", "token needed");
    if (p.want) log(p, "error", token ? "the board refused this token" : "this board needs a token");
  });
  token = "";
  sessionStorage.removeItem("token");
  $("auth").hidden = false;
  $("token").focus();
}

$("auth").onsubmit = function (e) {
  e.preventDefault();
  token = $("token").value.trim();
  sessionStorage.setItem("token", token);
  check(true);
};
$("on").onclick = function () { send(apiPane(), JSON.stringify({ id: nextId++, cmd: "light", on: true })); };
$("off").onclick = function () { send(apiPane(), JSON.stringify({ id: nextId++, cmd: "light", on: false })); };
function start(paths, api) {
  endpoints = paths;
  commands = api;
  $("host").textContent = location.host;
  new Pane("A").want = true; // A connects to the first endpoint on load; B when asked
  new Pane("B");
  check(true);
  setInterval(function () { if (!document.hidden && !needToken) check(false); }, 2000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) soon(); });
}
</script><script>start(`;

/** A value as JavaScript source that is safe inside a <script> element. */
function scriptValue(value: unknown): string {
  return JSON.stringify(value).split("<").join("\\u003c");
}

/** The page for these endpoint paths and the command channel's path: PAGE and its last line. */
function consoleHtml(endpoints: readonly string[], commands: string): string {
  return (
    PAGE + (scriptValue(endpoints) + "," + scriptValue(commands) + ")</script></body></html>\n")
  );
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
