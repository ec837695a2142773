/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query FilmBySlug($slug: String!) {\n    movie(slug: $slug) {\n      id\n      title\n    }\n  }\n": typeof types.FilmBySlugDocument,
    "\n  query FilmsPageSize($first: Int) {\n    movies(first: $first) {\n      edges {\n        cursor\n      }\n    }\n  }\n": typeof types.FilmsPageSizeDocument,
    "\n  mutation CreateFilm($input: MovieInput!) {\n    createMovie(input: $input, publish: true) {\n      id\n      slug\n      title\n      releaseYear\n      version\n    }\n  }\n": typeof types.CreateFilmDocument,
    "\n  query FilmTitle($slug: String!) {\n    movie(slug: $slug) {\n      id\n      slug\n      title\n      releaseYear\n    }\n  }\n": typeof types.FilmTitleDocument,
    "\n  mutation CreateFilmForPaging($input: MovieInput!) {\n    createMovie(input: $input, publish: true) {\n      id\n      slug\n    }\n  }\n": typeof types.CreateFilmForPagingDocument,
    "\n  query FilmsPage($first: Int!, $after: String, $filter: MovieFilterInput) {\n    movies(first: $first, after: $after, filter: $filter) {\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          slug\n          title\n        }\n      }\n    }\n  }\n": typeof types.FilmsPageDocument,
    "\n  query FilmPage($slug: String!) {\n    movie(slug: $slug) {\n      title\n      releaseYear\n      plot\n      directors {\n        name\n      }\n      credits(role: WRITER) {\n        role\n        person {\n          name\n        }\n      }\n      period {\n        startYear\n        endYear\n      }\n      themes {\n        emoji\n        name\n      }\n    }\n  }\n": typeof types.FilmPageDocument,
};
const documents: Documents = {
    "\n  query FilmBySlug($slug: String!) {\n    movie(slug: $slug) {\n      id\n      title\n    }\n  }\n": types.FilmBySlugDocument,
    "\n  query FilmsPageSize($first: Int) {\n    movies(first: $first) {\n      edges {\n        cursor\n      }\n    }\n  }\n": types.FilmsPageSizeDocument,
    "\n  mutation CreateFilm($input: MovieInput!) {\n    createMovie(input: $input, publish: true) {\n      id\n      slug\n      title\n      releaseYear\n      version\n    }\n  }\n": types.CreateFilmDocument,
    "\n  query FilmTitle($slug: String!) {\n    movie(slug: $slug) {\n      id\n      slug\n      title\n      releaseYear\n    }\n  }\n": types.FilmTitleDocument,
    "\n  mutation CreateFilmForPaging($input: MovieInput!) {\n    createMovie(input: $input, publish: true) {\n      id\n      slug\n    }\n  }\n": types.CreateFilmForPagingDocument,
    "\n  query FilmsPage($first: Int!, $after: String, $filter: MovieFilterInput) {\n    movies(first: $first, after: $after, filter: $filter) {\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          slug\n          title\n        }\n      }\n    }\n  }\n": types.FilmsPageDocument,
    "\n  query FilmPage($slug: String!) {\n    movie(slug: $slug) {\n      title\n      releaseYear\n      plot\n      directors {\n        name\n      }\n      credits(role: WRITER) {\n        role\n        person {\n          name\n        }\n      }\n      period {\n        startYear\n        endYear\n      }\n      themes {\n        emoji\n        name\n      }\n    }\n  }\n": types.FilmPageDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FilmBySlug($slug: String!) {\n    movie(slug: $slug) {\n      id\n      title\n    }\n  }\n"): (typeof documents)["\n  query FilmBySlug($slug: String!) {\n    movie(slug: $slug) {\n      id\n      title\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FilmsPageSize($first: Int) {\n    movies(first: $first) {\n      edges {\n        cursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query FilmsPageSize($first: Int) {\n    movies(first: $first) {\n      edges {\n        cursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateFilm($input: MovieInput!) {\n    createMovie(input: $input, publish: true) {\n      id\n      slug\n      title\n      releaseYear\n      version\n    }\n  }\n"): (typeof documents)["\n  mutation CreateFilm($input: MovieInput!) {\n    createMovie(input: $input, publish: true) {\n      id\n      slug\n      title\n      releaseYear\n      version\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FilmTitle($slug: String!) {\n    movie(slug: $slug) {\n      id\n      slug\n      title\n      releaseYear\n    }\n  }\n"): (typeof documents)["\n  query FilmTitle($slug: String!) {\n    movie(slug: $slug) {\n      id\n      slug\n      title\n      releaseYear\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateFilmForPaging($input: MovieInput!) {\n    createMovie(input: $input, publish: true) {\n      id\n      slug\n    }\n  }\n"): (typeof documents)["\n  mutation CreateFilmForPaging($input: MovieInput!) {\n    createMovie(input: $input, publish: true) {\n      id\n      slug\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FilmsPage($first: Int!, $after: String, $filter: MovieFilterInput) {\n    movies(first: $first, after: $after, filter: $filter) {\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          slug\n          title\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query FilmsPage($first: Int!, $after: String, $filter: MovieFilterInput) {\n    movies(first: $first, after: $after, filter: $filter) {\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          slug\n          title\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FilmPage($slug: String!) {\n    movie(slug: $slug) {\n      title\n      releaseYear\n      plot\n      directors {\n        name\n      }\n      credits(role: WRITER) {\n        role\n        person {\n          name\n        }\n      }\n      period {\n        startYear\n        endYear\n      }\n      themes {\n        emoji\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query FilmPage($slug: String!) {\n    movie(slug: $slug) {\n      title\n      releaseYear\n      plot\n      directors {\n        name\n      }\n      credits(role: WRITER) {\n        role\n        person {\n          name\n        }\n      }\n      period {\n        startYear\n        endYear\n      }\n      themes {\n        emoji\n        name\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;