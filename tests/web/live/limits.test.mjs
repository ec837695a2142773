// What keeps WebSocket clients in bounds, seen from real sockets (`ws`): a connection that
// never sends connection_init is closed with 4408; one that holds no subscription is closed
// when idle; one that stops answering the server's pings is closed with 4504; a connection may run only so many subscriptions; an address may hold only so many
// connections (429 before the upgrade); a subscription over plain HTTP is refused.
//
// FILMSERVER_URL: a server started with WS_INIT_TIMEOUT_SECS=1, WS_IDLE_TIMEOUT_SECS=2,
// WS_KEEPALIVE_SECS=1, WS_SUBSCRIPTIONS_PER_CONNECTION=2 and
// WS_CONNECTIONS_PER_ADDRESS=FILMSERVER_WS_CAP.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { graphqlWsClient } from './support.mjs';

const base = process.env.FILMSERVER_URL;
const cap = Number(process.env.FILMSERVER_WS_CAP);
assert.ok(base && cap > 0, 'FILMSERVER_URL and FILMSERVER_WS_CAP are set');
const wsUrl = `${base.replace(/^http/, 'ws')}/graphql`;

/** Opens a raw socket; resolves with it once open, or with { refused: status }. */
function open(protocol = 'graphql-transport-ws', options = {}) {
  return new Promise((resolve) => {
    const socket = new WebSocket(wsUrl, protocol, options);
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_, response) => resolve({ refused: response.statusCode }));
    socket.once('error', () => resolve({ refused: 0 }));
  });
}

/** Resolves with the close code of `socket`, failing after `seconds`. */
function closed(socket, seconds) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not closed within ${seconds} s`)), seconds * 1000);
    socket.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

test('a connection that never sends connection_init is closed with 4408', async () => {
  const socket = await open();
  assert.ok(socket instanceof WebSocket, JSON.stringify(socket));
  assert.equal(await closed(socket, 5), 4408);
});

test('a connection that holds no subscription is closed when idle', async () => {
  const socket = await open();
  socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  assert.equal(await closed(socket, 8), 1000);
});

test('a client that stops answering (not even pings) is closed with 4504', async () => {
  // autoPong off: this client's WebSocket stack does not answer the server's pings.
  const socket = await open('graphql-transport-ws', { autoPong: false });
  socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  socket.send(
    JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { catalogChanged { id } }' } }),
  );
  let pinged = false;
  socket.on('ping', () => {
    pinged = true;
  });
  assert.equal(await closed(socket, 8), 4504);
  assert.ok(pinged, 'the server pinged before giving up');
});

test('a connection runs at most its share of subscriptions', async () => {
  const client = graphqlWsClient(wsUrl);
  // Nothing changes meanwhile, so only a refusal answers; the first answer is the refusal.
  const answer = () =>
    new Promise((resolve) => {
      client.subscribe(
        { query: 'subscription { catalogChanged { id } }' },
        { next: (value) => resolve({ value }), error: (error) => resolve({ error }), complete: () => {} },
      );
    });
  let timer;
  const first = await Promise.race([
    answer(),
    answer(),
    answer(),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('no subscription was refused within 10 s')), 10_000);
    }),
  ]);
  clearTimeout(timer);
  const errors = first.error ?? first.value?.errors;
  assert.equal(errors?.[0]?.extensions?.code, 'RATE_LIMITED', JSON.stringify(first));
  client.dispose();
});

test('an address holds at most its share of connections', async () => {
  const sockets = [];
  let refusal;
  for (let i = 0; i <= cap && !refusal; i += 1) {
    const opened = await open();
    if (opened instanceof WebSocket) sockets.push(opened);
    else refusal = opened;
  }
  sockets.forEach((socket) => socket.terminate());
  assert.ok(sockets.length <= cap, `${sockets.length} connections were accepted`);
  assert.deepEqual(refusal, { refused: 429 });
});

test('a subscription over plain HTTP is refused', async () => {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: 'subscription { catalogChanged { id } }' }),
  });
  assert.equal(response.status, 400);
  const body = await response.json();
  assert.equal(body.errors[0].extensions.code, 'BAD_REQUEST');
});
