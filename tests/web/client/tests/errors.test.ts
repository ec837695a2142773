// What a client developer sees when something is wrong: urql's CombinedError, whose
// graphQLErrors carry the server's `extensions.code` (and `extensions.field` for input).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CombinedError } from '@urql/core';
import { graphql } from '../gql/index.js';
import { editorClient, plainClient } from '../src/clients.js';
import { runId } from '../src/env.js';
import { recordingFetch } from '../src/recording-fetch.js';

const FilmBySlug = graphql(`
  query FilmBySlug($slug: String!) {
    movie(slug: $slug) {
      id
      title
    }
  }
`);

const FilmsPageSize = graphql(`
  query FilmsPageSize($first: Int) {
    movies(first: $first) {
      edges {
        cursor
      }
    }
  }
`);

const CreateFilm = graphql(`
  mutation CreateFilm($input: MovieInput!) {
    createMovie(input: $input, publish: true) {
      id
      slug
      title
      releaseYear
      version
    }
  }
`);

function codes(error: CombinedError | undefined): (string | undefined)[] {
  assert.ok(error, 'expected an error');
  assert.equal(error.networkError, undefined, `a GraphQL error, not a network error: ${error.message}`);
  return error.graphQLErrors.map((e) => e.extensions?.code as string | undefined);
}

test('a missing film is null data, not an error', async () => {
  const result = await plainClient().query(FilmBySlug, { slug: `no-such-film-${runId()}` }).toPromise();
  assert.equal(result.error, undefined);
  assert.equal(result.data?.movie, null);
});

test('a page over the maximum is BAD_USER_INPUT naming the argument, and is not cached', async () => {
  const recorder = recordingFetch();
  const result = await plainClient({ fetch: recorder.fetch }).query(FilmsPageSize, { first: 101 }).toPromise();
  assert.deepEqual(codes(result.error), ['BAD_USER_INPUT']);
  assert.equal(result.error!.graphQLErrors[0]!.extensions.field, 'first');
  assert.equal(result.data ?? null, null);

  // urql sent it as a GET (it fits in a URL); an answer with errors must not be kept by
  // shared caches, or a CDN would serve the error to everyone.
  const [exchange] = recorder.log;
  assert.equal(exchange?.request.method, 'GET');
  assert.doesNotMatch(exchange!.response.headers.get('cache-control') ?? '', /public/);
  assert.equal(exchange!.response.headers.get('etag'), null);
});

test('an unknown field is GRAPHQL_VALIDATION_FAILED (a request error: urql still reads the body)', async () => {
  // A plain string, not a graphql() document: codegen would reject it, as it should.
  const result = await plainClient()
    .query('query Broken { movie(slug: "m-butterfly") { noSuchField } }', {})
    .toPromise();
  assert.deepEqual(codes(result.error), ['GRAPHQL_VALIDATION_FAILED']);
  assert.equal(result.data ?? null, null);
});

test('a mutation without a token is UNAUTHENTICATED and writes nothing', async () => {
  const slug = `client-unauth-${runId()}`;
  const result = await plainClient()
    .mutation(CreateFilm, { input: { title: 'Unauthenticated', slug, releaseYear: 1993 } })
    .toPromise();
  assert.deepEqual(codes(result.error), ['UNAUTHENTICATED']);
  assert.equal(result.data?.createMovie ?? null, null);

  const after = await plainClient().query(FilmBySlug, { slug }).toPromise();
  assert.equal(after.data?.movie, null, 'nothing was written');
});

test('bad mutation input: every problem at once, each BAD_USER_INPUT with its field', async () => {
  const slug = `client-bad-${runId()}`;
  const result = await editorClient()
    .mutation(CreateFilm, {
      input: {
        title: '',
        slug,
        releaseYear: 1700,
        themes: [{ emoji: 'not an emoji', name: 'Theme', description: 'Text.' }],
      },
    })
    .toPromise();
  const errors = result.error?.graphQLErrors ?? [];
  assert.deepEqual(codes(result.error), errors.map(() => 'BAD_USER_INPUT'));
  assert.deepEqual(
    errors.map((e) => e.extensions.field).sort(),
    ['input.releaseYear', 'input.themes[0].emoji', 'input.title'],
  );
  assert.equal(result.data?.createMovie ?? null, null);

  const after = await plainClient().query(FilmBySlug, { slug }).toPromise();
  assert.equal(after.data?.movie, null, 'nothing was written');
});

test('a taken slug is CONFLICT on input.slug', async () => {
  const slug = `client-taken-${runId()}`;
  const editor = editorClient();
  const created = await editor
    .mutation(CreateFilm, { input: { title: 'Taken Slug', slug, releaseYear: 1993 } })
    .toPromise();
  assert.equal(created.error, undefined, created.error?.message);
  assert.equal(created.data?.createMovie.slug, slug);
  assert.equal(created.data?.createMovie.version, 1);

  const again = await editor
    .mutation(CreateFilm, { input: { title: 'Taken Slug Again', slug, releaseYear: 1994 } })
    .toPromise();
  assert.deepEqual(codes(again.error), ['CONFLICT']);
  assert.equal(again.error!.graphQLErrors[0]!.extensions.field, 'input.slug');
});
