// Relay cursor paging through @urql/exchange-graphcache's relayPagination(): each page
// fetched with `after: endCursor` is merged by the cache into one growing list.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VariablesOf } from '@graphql-typed-document-node/core';
import { graphql } from '../gql/index.js';
import { editorClient, pagingClient } from '../src/clients.js';
import { runId } from '../src/env.js';
import { graphqlParams, recordingFetch } from '../src/recording-fetch.js';

const CreateFilmForPaging = graphql(`
  mutation CreateFilmForPaging($input: MovieInput!) {
    createMovie(input: $input, publish: true) {
      id
      slug
    }
  }
`);

const FilmsPage = graphql(`
  query FilmsPage($first: Int!, $after: String, $filter: MovieFilterInput) {
    movies(first: $first, after: $after, filter: $filter) {
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          id
          slug
          title
        }
      }
    }
  }
`);

test('movies(first: 2, after:) pages merge into one list, every film once, in order', async () => {
  const run = runId();
  const editor = editorClient();
  const created: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const slug = `client-paging-${run}-${i}`;
    const result = await editor
      .mutation(CreateFilmForPaging, {
        input: { title: `Client Paging ${run} ${i}`, slug, releaseYear: 1990 + i },
      })
      .toPromise();
    assert.equal(result.error, undefined, result.error?.message);
    assert.equal(result.data?.createMovie.slug, slug);
    created.push(slug);
  }

  const recorder = recordingFetch();
  const client = pagingClient({ fetch: recorder.fetch });
  const filter = { titleContains: `Client Paging ${run}` };

  let after: string | null = null;
  const seen: number[] = [];
  const requests: (string | null)[] = [];
  for (let page = 1; page <= 10; page++) {
    const before = recorder.log.length;
    const variables: VariablesOf<typeof FilmsPage> = { first: 2, after, filter };
    const result = await client.query(FilmsPage, variables).toPromise();
    assert.equal(result.error, undefined, result.error?.message);
    assert.equal(recorder.log.length, before + 1, 'each new page is one request');
    const exchange = recorder.log.at(-1)!;
    const sent = graphqlParams(exchange.request).variables as { after?: string | null };
    requests.push(sent.after ?? null);
    // What the server sent for this page alone.
    const raw = JSON.parse(exchange.response.body).data.movies;
    assert.deepEqual(
      raw.edges.map((e: { node: { slug: string } }) => e.node.slug),
      created.slice((page - 1) * 2, page * 2),
      `page ${page} from the server: the next films`,
    );
    assert.equal(raw.pageInfo.hasPreviousPage, page > 1, 'the server: a page after a cursor has films before it');
    assert.equal(raw.pageInfo.hasNextPage, page * 2 < created.length);

    const movies = result.data!.movies;
    const edges = movies.edges;
    seen.push(edges.length);
    // The cache answers with every page so far, in order, not just the new page.
    assert.deepEqual(
      edges.map((e) => e.node.slug),
      created.slice(0, edges.length),
      `page ${page}: the merged list is the films so far, in order`,
    );
    assert.equal(movies.pageInfo.endCursor, edges.at(-1)!.cursor, 'endCursor is the last edge');
    assert.equal(movies.pageInfo.startCursor, edges[0]!.cursor, 'startCursor stays the first edge');
    assert.equal(movies.pageInfo.hasPreviousPage, false, 'the merged list starts at the beginning');
    if (!movies.pageInfo.hasNextPage) break;
    after = movies.pageInfo.endCursor ?? null;
  }

  assert.deepEqual(seen, [2, 4, 5], 'the list grew page by page');
  assert.equal(requests[0], null, 'the first page has no cursor');
  assert.equal(requests.length, 3);
  assert.ok(requests.slice(1).every((c) => typeof c === 'string' && c.length > 0));

  // Asking again for the first page is answered by the cache, merged list included.
  const before = recorder.log.length;
  const again = await client.query(FilmsPage, { first: 2, after: null, filter }).toPromise();
  assert.equal(recorder.log.length, before, 'served from the cache');
  assert.deepEqual(again.data!.movies.edges.map((e) => e.node.slug), created);
  assert.equal(again.data!.movies.pageInfo.hasNextPage, false);
});
