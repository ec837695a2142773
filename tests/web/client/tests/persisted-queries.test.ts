// Automatic persisted queries with @urql/exchange-persisted over GET, then HTTP
// revalidation of the cacheable GET answer with its ETag.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { DocumentNode } from 'graphql';
import { graphql } from '../gql/index.js';
import { persistedClient } from '../src/clients.js';
import { runId } from '../src/env.js';
import { graphqlParams, recordingFetch } from '../src/recording-fetch.js';

const FilmTitle = graphql(`
  query FilmTitle($slug: String!) {
    movie(slug: $slug) {
      id
      slug
      title
      releaseYear
    }
  }
`);

/**
 * The same document under another operation name. The server's persisted-query store
 * outlives a test run, so each run needs a query text (and so a hash) it has not seen,
 * or the first hash-only request would already succeed. The result type is unchanged.
 */
function renamed<T extends DocumentNode>(doc: T, name: string): T {
  return {
    kind: doc.kind,
    definitions: doc.definitions.map((d) =>
      d.kind === 'OperationDefinition' ? { ...d, name: { kind: 'Name', value: name } } : d,
    ),
  } as unknown as T;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

test('APQ over GET: hash-only miss, then the query once, then hash-only hits; ETag revalidates with 304', async () => {
  const operationName = `FilmTitle_${runId()}`;
  const doc = renamed(FilmTitle, operationName);
  const recorder = recordingFetch();
  const client = persistedClient({ fetch: recorder.fetch });

  // First query: urql sends the hash alone; the server does not know it yet.
  const first = await client.query(doc, { slug: 'm-butterfly' }).toPromise();
  assert.equal(first.error, undefined, `first query failed: ${first.error?.message}`);
  assert.equal(first.data?.movie?.title, 'M. Butterfly');
  assert.equal(first.data?.movie?.releaseYear, 1993);
  assert.equal(recorder.log.length, 2, 'a miss and a retry with the query text');

  const [miss, register] = recorder.log;
  const missParams = graphqlParams(miss!.request);
  assert.equal(miss!.request.method, 'GET');
  assert.equal(missParams.query, null, 'the first request carries only the hash');
  assert.equal(missParams.operationName, operationName);
  assert.deepEqual(missParams.variables, { slug: 'm-butterfly' });
  const hash: string = missParams.extensions?.persistedQuery?.sha256Hash;
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.equal(missParams.extensions.persistedQuery.version, 1);

  const missBody = JSON.parse(miss!.response.body);
  assert.equal(missBody.data, undefined);
  assert.equal(missBody.errors?.[0]?.message, 'PersistedQueryNotFound');
  assert.equal(missBody.errors?.[0]?.extensions?.code, 'PERSISTED_QUERY_NOT_FOUND');
  // A miss must never be kept by a CDN or browser: the next request for this URL has
  // to reach the server, or the hash-only URL would stay a miss after the query is stored.
  const missCaching = miss!.response.headers.get('cache-control') ?? '';
  assert.match(missCaching, /\bno-store\b/, `miss answered with Cache-Control: ${missCaching}`);
  assert.equal(miss!.response.headers.get('etag'), null, 'a miss has no ETag');

  // The retry: the same hash, now with the query text urql hashed.
  const registerParams = graphqlParams(register!.request);
  assert.equal(register!.request.method, 'GET', 'urql keeps GET (the URL is short)');
  assert.ok(registerParams.query, 'the retry carries the query text');
  assert.equal(registerParams.extensions?.persistedQuery?.sha256Hash, hash);
  assert.equal(sha256(registerParams.query!), hash, 'the hash is SHA-256 of the query text sent');
  assert.equal(register!.response.status, 200);

  // Later, the same query: one hash-only GET, answered from the stored query.
  const second = await client.query(doc, { slug: 'm-butterfly' }).toPromise();
  assert.equal(second.error, undefined, `second query failed: ${second.error?.message}`);
  assert.equal(second.data?.movie?.title, 'M. Butterfly');
  assert.equal(recorder.log.length, 3, 'exactly one more request');

  const hit = recorder.log[2]!;
  const hitParams = graphqlParams(hit.request);
  assert.equal(hit.request.method, 'GET');
  assert.equal(hitParams.query, null, 'only the hash again');
  assert.equal(hitParams.extensions?.persistedQuery?.sha256Hash, hash);
  assert.equal(hit.response.status, 200);
  assert.equal(JSON.parse(hit.response.body).data.movie.title, 'M. Butterfly');
  const caching = hit.response.headers.get('cache-control') ?? '';
  assert.match(caching, /\bpublic\b/, `Cache-Control: ${caching}`);
  assert.match(caching, /\bmax-age=\d+/, `Cache-Control: ${caching}`);
  const etag = hit.response.headers.get('etag');
  assert.ok(etag, 'a cacheable GET answer carries an ETag');
  assert.match(hit.response.headers.get('vary') ?? '', /accept/i);

  // Revalidation, as an HTTP cache does it: the same GET with If-None-Match.
  const revalidated = await recorder.fetch(hit.request.url, {
    method: 'GET',
    headers: { accept: hit.request.headers.get('accept')!, 'if-none-match': etag! },
  });
  assert.equal(recorder.log.length, 4);
  assert.equal(revalidated.status, 304);
  assert.equal(recorder.log[3]!.response.body, '', '304 has no body');
  assert.equal(revalidated.headers.get('etag'), etag, '304 repeats the ETag');

  // A stale validator gets the whole answer again.
  const changed = await recorder.fetch(hit.request.url, {
    headers: { accept: hit.request.headers.get('accept')!, 'if-none-match': '"not-the-etag"' },
  });
  assert.equal(changed.status, 200);
  assert.equal((await changed.json()).data.movie.title, 'M. Butterfly');
});
