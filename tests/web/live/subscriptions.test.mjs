// Live updates as client apps meet them: the reference `graphql-ws` client (the
// graphql-transport-ws protocol, as Apollo Client and urql speak it) and
// subscriptions-transport-ws (the older protocol GraphQL Playground speaks), over real
// sockets, receiving changes made by mutations over HTTP.
//
// FILMSERVER_URL: the server; FILMSERVER_EDITOR_TOKEN: an editor's token;
// FILMSERVER_OTHER_URL (optional): a second instance on the same PostgreSQL, which the
// mutations are sent to, so the events cross instances.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { SubscriptionClient } from 'subscriptions-transport-ws';
import WebSocket from 'ws';
import {
  eventually,
  graphqlAs,
  graphqlWsClient,
  liveSubscriptions as liveSubscriptionsAt,
} from './support.mjs';

const base = process.env.FILMSERVER_URL;
const token = process.env.FILMSERVER_EDITOR_TOKEN;
const writer = process.env.FILMSERVER_OTHER_URL ?? base;
assert.ok(base && token, 'FILMSERVER_URL and FILMSERVER_EDITOR_TOKEN are set');
const wsUrl = `${base.replace(/^http/, 'ws')}/graphql`;
const clients = [];
after(() => clients.forEach((client) => client.dispose?.() ?? client.close?.()));

/** A graphql-ws client; with `asEditor`, the token goes in connection_init's payload. */
function client(asEditor = false, extra = {}) {
  const made = graphqlWsClient(wsUrl, asEditor ? token : undefined, extra);
  clients.push(made);
  return made;
}

/** POSTs a GraphQL request to `url`, as an editor; returns `data` (asserting no errors). */
const graphql = (query, variables = {}, url = writer) => graphqlAs(url, token, query, variables);

/** How many subscriptions the server (`url`) runs now. */
const liveSubscriptions = (url = base) => liveSubscriptionsAt(url);

/** The next value of an async iterator, failing after 10 s. */
async function next(iterator, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within 10 s`)), 10_000);
  });
  try {
    const { value, done } = await Promise.race([iterator.next(), timeout]);
    assert.equal(done, false, `the subscription ended before ${what}`);
    return value;
  } finally {
    clearTimeout(timer);
  }
}

const unique = `${process.pid}-${Date.now()}`;

/** Creates and publishes a film; returns { id, slug, version }. */
async function publishedFilm(title) {
  const slug = `live-${unique}-${Math.random().toString(36).slice(2, 8)}`;
  const created = await graphql(
    `mutation($input: MovieInput!) { createMovie(input: $input, publish: true) { id slug version } }`,
    { input: { title, slug, releaseYear: 1993, sections: [{ title: 'One', body: 'First.' }] } },
  );
  return created.createMovie;
}

const MOVIE_CHANGED = `subscription($slug: String!, $status: PublicationStatus) {
  movieChanged(slug: $slug, status: $status) {
    event { id kind slug version keys author }
    movie { title sections { title body } }
  }
}`;

test('graphql-ws: a subscriber gets the film each time it is published, then its removal', async () => {
  const film = await publishedFilm('Live One');
  const before = await liveSubscriptions();
  const updates = client().iterate({ query: MOVIE_CHANGED, variables: { slug: film.slug } });
  await eventually('the subscription runs', async () => (await liveSubscriptions()) > before);

  const draft = await graphql(
    `mutation($id: ID!, $v: Int!) { updateMovie(id: $id, expectedVersion: $v, input: { title: "Live One, again", sections: [{ title: "Two", body: "Second." }] }) { version } }`,
    { id: film.id, v: film.version },
  );
  const published = await graphql(
    `mutation($id: ID!, $v: Int!) { publishMovie(id: $id, expectedVersion: $v) { version } }`,
    { id: film.id, v: draft.updateMovie.version },
  );
  // The draft's change is not for the public: the first event is the publish.
  const first = await next(updates, 'the publish');
  assert.equal(first.errors, undefined, JSON.stringify(first.errors));
  const change = first.data.movieChanged;
  assert.equal(change.event.kind, 'PUBLISHED');
  assert.equal(change.event.slug, film.slug);
  assert.equal(change.event.version, published.publishMovie.version);
  assert.equal(change.event.author, null, 'authors are for editors');
  assert.ok(change.event.keys.includes('films'), change.event.keys.join(' '));
  assert.deepEqual(change.movie, {
    title: 'Live One, again',
    sections: [{ title: 'Two', body: 'Second.' }],
  });

  await graphql(
    `mutation($id: ID!, $v: Int!) { unpublishMovie(id: $id, expectedVersion: $v) { version } }`,
    { id: film.id, v: published.publishMovie.version },
  );
  const gone = (await next(updates, 'the unpublish')).data.movieChanged;
  assert.equal(gone.event.kind, 'UNPUBLISHED');
  assert.equal(gone.movie, null);
  await updates.return();
});

test('graphql-ws: an editor follows a draft live; the public may not', async () => {
  const film = await publishedFilm('Live Draft');
  const refused = client().iterate({
    query: MOVIE_CHANGED,
    variables: { slug: film.slug, status: 'DRAFT' },
  });
  const refusal = await next(refused, 'the refusal').catch((error) => ({ errors: error }));
  const errors = Array.isArray(refusal.errors) ? refusal.errors : [refusal.errors];
  assert.equal(errors[0]?.extensions?.code, 'UNAUTHENTICATED', JSON.stringify(errors));

  const before = await liveSubscriptions();
  const preview = client(true).iterate({
    query: MOVIE_CHANGED,
    variables: { slug: film.slug, status: 'DRAFT' },
  });
  await eventually('the subscription runs', async () => (await liveSubscriptions()) > before);
  await graphql(
    `mutation($id: ID!, $v: Int!) { updateMovie(id: $id, expectedVersion: $v, input: { title: "Work in progress" }) { version } }`,
    { id: film.id, v: film.version },
  );
  const change = (await next(preview, 'the draft change')).data.movieChanged;
  assert.equal(change.event.kind, 'DRAFT_CHANGED');
  assert.equal(change.event.author, 'web-tests');
  assert.equal(change.movie.title, 'Work in progress');
  await preview.return();
});

test('graphql-ws: a subscriber resumes after the last event it saw, missing nothing', async () => {
  const CATALOG = `subscription($after: ID) { catalogChanged(after: $after) { id kind slug } }`;
  const film = await publishedFilm('Live Resume');
  const before = await liveSubscriptions();
  const first = client().iterate({ query: CATALOG });
  await eventually('the subscription runs', async () => (await liveSubscriptions()) > before);
  const unpublished = await graphql(
    `mutation($id: ID!, $v: Int!) { unpublishMovie(id: $id, expectedVersion: $v) { version } }`,
    { id: film.id, v: film.version },
  );
  const seen = (await next(first, 'the unpublish')).data.catalogChanged;
  assert.deepEqual([seen.kind, seen.slug], ['UNPUBLISHED', film.slug]);
  await first.return();

  // Disconnected, two changes happen; resuming after the last id seen yields both, in order.
  const republished = await graphql(
    `mutation($id: ID!, $v: Int!) { publishMovie(id: $id, expectedVersion: $v) { version } }`,
    { id: film.id, v: unpublished.unpublishMovie.version },
  );
  await graphql(
    `mutation($id: ID!, $v: Int!) { unpublishMovie(id: $id, expectedVersion: $v) { version } }`,
    { id: film.id, v: republished.publishMovie.version },
  );
  const resumed = client().iterate({ query: CATALOG, variables: { after: seen.id } });
  const one = (await next(resumed, 'the first missed event')).data.catalogChanged;
  const two = (await next(resumed, 'the second missed event')).data.catalogChanged;
  assert.deepEqual(
    [one.kind, one.slug, two.kind, two.slug],
    ['PUBLISHED', film.slug, 'UNPUBLISHED', film.slug],
  );
  assert.ok(Number(one.id) > Number(seen.id) && Number(two.id) > Number(one.id));
  await resumed.return();
});

test('graphql-ws: subscription documents meet the query limits; mutations stay on HTTP', async () => {
  const deep = `subscription { movieChanged(slug: "m-butterfly") { movie { characters { actor { roles { nodes { movie { characters { actor { roles { nodes { movie { characters { actor { roles { nodes { name } } } } } } } } } } } } } } } } }`;
  const over = await next(client().iterate({ query: deep }), 'the refusal').catch((e) => ({
    errors: e,
  }));
  const errors = Array.isArray(over.errors) ? over.errors : [over.errors];
  assert.equal(errors[0]?.extensions?.code, 'QUERY_LIMIT_EXCEEDED', JSON.stringify(errors));

  const mutation = await next(
    client(true).iterate({ query: `mutation { createPerson(input: { name: "Over WS" }) { id } }` }),
    'the refusal',
  ).catch((e) => ({ errors: e }));
  const refused = Array.isArray(mutation.errors) ? mutation.errors : [mutation.errors];
  assert.equal(refused[0]?.extensions?.code, 'BAD_REQUEST', JSON.stringify(refused));
});

test('subscriptions-transport-ws (Playground\'s protocol): catalogChanged hears a publish', async () => {
  const film = await publishedFilm('Live Legacy');
  const legacy = new SubscriptionClient(wsUrl, { reconnect: false, lazy: true }, WebSocket);
  clients.push(legacy);
  const received = new Promise((resolve, reject) => {
    legacy
      .request({ query: `subscription { catalogChanged { kind slug } }` })
      .subscribe({
        next: (value) => {
          if (value.data?.catalogChanged?.slug === film.slug) resolve(value.data.catalogChanged);
        },
        error: reject,
      });
  });
  const before = await liveSubscriptions();
  await eventually('the subscription runs', async () => (await liveSubscriptions()) > before);
  await graphql(
    `mutation($id: ID!, $v: Int!) { unpublishMovie(id: $id, expectedVersion: $v) { version } }`,
    { id: film.id, v: film.version },
  );
  let timer;
  const event = await Promise.race([
    received,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('no event within 10 s')), 10_000);
    }),
  ]);
  clearTimeout(timer);
  assert.deepEqual(event, { kind: 'UNPUBLISHED', slug: film.slug });
});
