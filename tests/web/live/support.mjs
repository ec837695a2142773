// Helpers the live tests share: editors' requests over HTTP, the server's live-subscription
// count, and polling for a condition.
import assert from 'node:assert/strict';

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
