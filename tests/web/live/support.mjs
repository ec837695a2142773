// Helpers the live tests share: the graphql-ws client as the tests make it, editors' requests
// over HTTP, the server's live-subscription count, and polling for a condition.
import assert from 'node:assert/strict';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** A graphql-ws client of `wsUrl` that connects on first use and never retries; with `bearer`,
 * that token goes in connection_init's payload. `extra`: more of the client's options. */
export function graphqlWsClient(wsUrl, bearer, extra = {}) {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
    connectionParams: bearer ? { Authorization: `Bearer ${bearer}` } : {},
    ...extra,
  });
}

/** POSTs a GraphQL request to `url` (the server's base URL) with `token`; returns `data`
 * (asserting no errors). */
export async function graphqlAs(url, token, query, variables = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

/** How many subscriptions the server at `url` runs now, from /metrics. */
export async function liveSubscriptions(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('filmserver_live_subscriptions '));
  return Number(line?.split(' ')[1] ?? 0);
}

/** Polls until `holds()` is true (at most 10 s). */
export async function eventually(what, holds) {
  const deadline = Date.now() + 10_000;
  while (!(await holds())) {
    assert.ok(Date.now() < deadline, `timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
