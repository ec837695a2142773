// Trusted documents over WebSocket, as over HTTP: on a server started with
// TRUSTED_DOCUMENTS=live/trusted-documents.json, an anonymous graphql-ws client runs a listed
// document (by its exact text, or by id alone in `extensions.persistedQuery.sha256Hash`) and
// nothing else (PERSISTED_QUERY_NOT_IN_LIST); an editor's token in connection_init runs any
// document.
//
// FILMSERVER_URL: that server; FILMSERVER_EDITOR_TOKEN: an editor's token.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import {
  eventually,
  graphqlAs,
  graphqlWsClient,
  liveSubscriptions as liveSubscriptionsAt,
} from './support.mjs';

const base = process.env.FILMSERVER_URL;
const token = process.env.FILMSERVER_EDITOR_TOKEN;
assert.ok(base && token, 'FILMSERVER_URL and FILMSERVER_EDITOR_TOKEN are set');
const wsUrl = `${base.replace(/^http/, 'ws')}/graphql`;
const manifest = JSON.parse(readFileSync(new URL('./trusted-documents.json', import.meta.url)));
/** The listed document whose text starts with `start`: { id, text }. */
function listed(start) {
  const [id, text] = Object.entries(manifest).find(([, text]) => text.startsWith(start));
  return { id, text };
}
const FILM = listed('query ListedFilm');
const CATALOG = listed('subscription ListedCatalog');
const byId = (id) => ({ query: '', extensions: { persistedQuery: { version: 1, sha256Hash: id } } });

const clients = [];
after(() => clients.forEach((client) => client.dispose()));

/** A graphql-ws client; with `asEditor`, the token goes in connection_init's payload. */
function client(asEditor = false) {
  const made = graphqlWsClient(wsUrl, asEditor ? token : undefined);
  clients.push(made);
  return made;
}

/** The first answer to `payload` on `over`: { value } or { error } (the errors a client gets). */
function firstAnswer(over, payload) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer within 10 s')), 10_000);
    const stop = over.subscribe(payload, {
      next: (value) => {
        clearTimeout(timer);
        stop();
        resolve({ value });
      },
      error: (error) => {
        clearTimeout(timer);
        resolve({ error });
      },
      complete: () => {},
    });
  });
}

/** The `extensions.code` of the first error in an answer. */
function code(answer) {
  const errors = answer.error ?? answer.value?.errors;
  return Array.isArray(errors) ? errors[0]?.extensions?.code : undefined;
}

/** POSTs a GraphQL request as the editor; returns `data` (asserting no errors). */
const asEditor = (query, variables = {}) => graphqlAs(base, token, query, variables);
const liveSubscriptions = () => liveSubscriptionsAt(base);

test('an anonymous client runs a listed document by its text or by its id alone', async () => {
  const anonymous = client();
  for (const payload of [{ query: FILM.text }, byId(FILM.id)]) {
    const answer = await firstAnswer(anonymous, payload);
    assert.equal(answer.value?.data?.movie?.title, 'M. Butterfly', JSON.stringify(answer));
  }
});

test('a listed subscription runs for an anonymous client and hears a publish', async () => {
  const before = await liveSubscriptions();
  const events = client().iterate(byId(CATALOG.id));
  await eventually('the subscription runs', async () => (await liveSubscriptions()) > before);
  const slug = `trusted-${process.pid}-${Date.now()}`;
  await asEditor(
    `mutation($input: MovieInput!) { createMovie(input: $input, publish: true) { id } }`,
    { input: { title: 'Trusted Live', slug, releaseYear: 1993 } },
  );
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('no event within 10 s')), 10_000);
  });
  try {
    for (;;) {
      const { value, done } = await Promise.race([events.next(), timeout]);
      assert.equal(done, false, 'the subscription ended before the publish');
      assert.equal(value.errors, undefined, JSON.stringify(value.errors));
      if (value.data.catalogChanged.slug === slug) {
        assert.equal(value.data.catalogChanged.kind, 'PUBLISHED');
        break;
      }
    }
  } finally {
    clearTimeout(timer);
    await events.return();
  }
});

test('an anonymous client is refused any other document, subscription or query', async () => {
  const anonymous = client();
  const other = 'subscription { catalogChanged { id kind slug } }';
  const otherQuery = '{ movie(slug: "m-butterfly") { title releaseYear } }';
  // Not even parsed: refused as unlisted, not as a syntax error (as over HTTP).
  const notGraphql = '{ movie(slug: ';
  for (const payload of [{ query: other }, { query: otherQuery }, byId('0'.repeat(64)), { query: notGraphql }]) {
    const answer = await firstAnswer(anonymous, payload);
    assert.equal(code(answer), 'PERSISTED_QUERY_NOT_IN_LIST', JSON.stringify(answer));
    assert.equal(answer.value?.data ?? null, null, JSON.stringify(answer));
  }
  // A listed id sent with another text is not the listed document.
  const mismatch = await firstAnswer(anonymous, { ...byId(FILM.id), query: otherQuery });
  assert.equal(code(mismatch), 'BAD_REQUEST', JSON.stringify(mismatch));
});

test("an editor's token runs any document; a made-up token does not", async () => {
  const other = '{ movie(slug: "m-butterfly") { title releaseYear } }';
  const editor = await firstAnswer(client(true), { query: other });
  assert.equal(editor.value?.data?.movie?.title, 'M. Butterfly', JSON.stringify(editor));
  const madeUp = graphqlWsClient(wsUrl, 'fcs_not_a_token');
  clients.push(madeUp);
  const refused = await firstAnswer(madeUp, { query: other });
  assert.equal(code(refused), 'PERSISTED_QUERY_NOT_IN_LIST', JSON.stringify(refused));
});
