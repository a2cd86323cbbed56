// Every connection a test opens is registered here and torn down after the test (root
// `afterEach` in hooks.js), so a failing test never leaks sockets into the next one.
const open = new Set();

/** @param {{ dispose(): void }} client */
export function register(client) {
  open.add(client);
  return client;
}

export function unregister(client) {
  open.delete(client);
}

export function disposeAll() {
  for (const client of open) client.dispose();
  open.clear();
}
