// A client that stops reading cannot make the server hold more and more for it: once a
// message has waited WS_SEND_TIMEOUT_SECS to be sent, the server drops the connection (with
// close code 4413 when the pipe still takes a frame) and its subscriptions end.
//
// FILMSERVER_URL: a server with WS_SEND_TIMEOUT_SECS=1 and no cap on subscriptions per
// connection; FILMSERVER_EDITOR_TOKEN: an editor's token.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { graphqlAs, liveSubscriptions as liveSubscriptionsAt } from './support.mjs';

const base = process.env.FILMSERVER_URL;
const token = process.env.FILMSERVER_EDITOR_TOKEN;
assert.ok(base && token, 'FILMSERVER_URL and FILMSERVER_EDITOR_TOKEN are set');
const wsUrl = `${base.replace(/^http/, 'ws')}/graphql`;
const SUBSCRIPTIONS = 100;

const liveSubscriptions = () => liveSubscriptionsAt(base);
const graphql = (query, variables) => graphqlAs(base, token, query, variables);

test('a client that stops reading is dropped, and its subscriptions end', async () => {
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const closing = new Promise((resolve) => socket.once('close', (code) => resolve(code)));
  socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  // Each publish sends every subscription the whole film page (about 14 KB).
  const page = 'subscription { movieChanged(slug: "m-butterfly") { movie { title plot sections { title body } characters { name description actor { name } } themes { name description } } } }';
  for (let id = 1; id <= SUBSCRIPTIONS; id += 1) {
    socket.send(JSON.stringify({ id: String(id), type: 'subscribe', payload: { query: page } }));
  }
  const deadline = Date.now() + 20_000;
  while ((await liveSubscriptions()) < SUBSCRIPTIONS) {
    assert.ok(Date.now() < deadline, 'the subscriptions never ran');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  // Stop reading, and keep publishing until the server lets the connection go.
  socket.pause();
  const film = (await graphql('{ movie(slug: "m-butterfly") { id version } }')).movie;
  let version = film.version;
  let rounds = 0;
  while ((await liveSubscriptions()) > 0) {
    rounds += 1;
    assert.ok(rounds <= 40, 'the server kept the connection of a client that reads nothing');
    const draft = await graphql(
      'mutation($id: ID!, $v: Int!, $t: String!) { updateMovie(id: $id, expectedVersion: $v, input: { title: $t }) { version } }',
      { id: film.id, v: version, t: `M. Butterfly (${rounds})` },
    );
    version = (
      await graphql('mutation($id: ID!, $v: Int!) { publishMovie(id: $id, expectedVersion: $v) { version } }', {
        id: film.id,
        v: draft.updateMovie.version,
      })
    ).publishMovie.version;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  socket.resume();
  let timer;
  const code = await Promise.race([
    closing,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('the socket was not closed')), 10_000);
    }),
  ]);
  clearTimeout(timer);
  console.log(`dropped after ${rounds} publishes, close code ${code}`);
  // 4413 when the close frame still fit in the pipe; otherwise the connection just ends.
  assert.ok([4413, 1006].includes(code), `closed with ${code}`);
});
