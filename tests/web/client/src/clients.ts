// urql clients as an application would set them up.
import { Client, fetchExchange, type Exchange } from '@urql/core';
import { cacheExchange as graphcache } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { persistedExchange } from '@urql/exchange-persisted';
import { editorToken, graphqlUrl } from './env.js';

interface Options {
  fetch?: typeof fetch;
  token?: string;
}

function client(exchanges: Exchange[], { fetch, token }: Options): Client {
  return new Client({
    url: graphqlUrl,
    exchanges,
    fetch,
    fetchOptions: token ? { headers: { authorization: `Bearer ${token}` } } : undefined,
  });
}

/** No cache: every query goes to the server (GET when it fits in a URL, urql's default). */
export function plainClient(options: Options = {}): Client {
  return client([fetchExchange], options);
}

/** An editor's client: mutations carry `Authorization: Bearer <FILMSERVER_EDITOR_TOKEN>`. */
export function editorClient(options: Options = {}): Client {
  return client([fetchExchange], { ...options, token: editorToken() });
}

/**
 * Automatic persisted queries: the hash is sent alone, as a GET; the query text only
 * when the server answers `PersistedQueryNotFound`. No cache, so every query reaches the server.
 */
export function persistedClient(options: Options = {}): Client {
  return client(
    [persistedExchange({ preferGetForPersistedQueries: true }), fetchExchange],
    options,
  );
}

/** A normalized cache that merges `movies` pages into one list (Relay cursor paging). */
export function pagingClient(options: Options = {}): Client {
  const cache = graphcache({
    keys: {
      // Connection plumbing has no identity of its own: it is embedded in its parent.
      MovieConnection: () => null,
      MovieEdge: () => null,
      PageInfo: () => null,
    },
    resolvers: {
      Query: { movies: relayPagination() },
    },
  });
  return client([cache, fetchExchange], options);
}
