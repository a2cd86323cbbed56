// The connections open now: the raw client and httpRequest list theirs here while they are
// open (and so may any other client), so that whoever runs them can drop all those left open at
// once: the host tests do after each test (root `afterEach`), so that a failing test never leaks
// sockets into the next one.
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
