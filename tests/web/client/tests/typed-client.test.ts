// The generated client: documents written with graphql() get their result and variable
// types from schema.graphql. These checks run in `npm run typecheck` (tsc --noEmit); the
// runtime part shows the typed data is what the server sends.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResultOf, VariablesOf } from '@graphql-typed-document-node/core';
import { graphql } from '../gql/index.js';
import type { CreditRole, MovieInput } from '../gql/graphql.js';
import { plainClient } from '../src/clients.js';

const FilmPage = graphql(`
  query FilmPage($slug: String!) {
    movie(slug: $slug) {
      title
      releaseYear
      plot
      directors {
        name
      }
      credits(role: WRITER) {
        role
        person {
          name
        }
      }
      period {
        startYear
        endYear
      }
      themes {
        emoji
        name
      }
    }
  }
`);

type Film = NonNullable<ResultOf<typeof FilmPage>['movie']>;

// Compile-time checks: if the generated types decayed to `any`, the @ts-expect-error
// lines would stop being errors and tsc would fail.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(_: T) => {};
expectType<Equal<Film['title'], string>>(true);
expectType<Equal<Film['releaseYear'], number>>(true);
expectType<Equal<Film['plot'], string[]>>(true);
expectType<Equal<Film['credits'][number]['role'], CreditRole>>(true);
expectType<Equal<VariablesOf<typeof FilmPage>, { slug: string }>>(true);
const checkTypes = (film: Film, input: MovieInput) => {
  // @ts-expect-error not selected in FilmPage
  film.slug;
  // @ts-expect-error period is nullable in the schema
  film.period.startYear;
  // @ts-expect-error releaseYear is an Int
  input.releaseYear = '1993';
  // @ts-expect-error FilmPage needs $slug
  plainClient().query(FilmPage, {});
};
void checkTypes;

test('the typed film page comes back as the schema describes', async () => {
  const result = await plainClient().query(FilmPage, { slug: 'm-butterfly' }).toPromise();
  assert.equal(result.error, undefined, result.error?.message);
  const film: Film | null | undefined = result.data?.movie;
  assert.ok(film);
  assert.equal(film.title, 'M. Butterfly');
  assert.equal(film.releaseYear, 1993);
  assert.ok(film.plot.length > 0 && film.plot.every((p) => typeof p === 'string'));
  assert.deepEqual(film.directors.map((d) => d.name), ['David Cronenberg']);
  assert.ok(film.credits.every((c) => c.role === 'WRITER'));
  assert.ok(film.themes.length > 0);
});
