// Live-updates benchmark (run by scripts/bench-live.sh, which starts the server): prints
// 1. the server's memory per idle subscription with SUBSCRIPTIONS subscriptions open
//    (catalogChanged, spread over CONNECTIONS graphql-ws connections), from its RSS;
// 2. the time from a publish (the publishMovie request sent) to the SUBSCRIBERS-th
//    subscriber's message (movieChanged on one film, selecting the film's title), over
//    ROUNDS publishes: p50 and p99, and the same for every single message.
//
// Env: FILMSERVER_URL, FILMSERVER_PID, FILMSERVER_EDITOR_TOKEN, SUBSCRIPTIONS, CONNECTIONS,
// SUBSCRIBERS, SUBSCRIBER_CONNECTIONS, ROUNDS.
import { readFileSync } from 'node:fs';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const base = process.env.FILMSERVER_URL;
const pid = process.env.FILMSERVER_PID;
const token = process.env.FILMSERVER_EDITOR_TOKEN;
const subscriptions = Number(process.env.SUBSCRIPTIONS ?? 10_000);
const connections = Number(process.env.CONNECTIONS ?? 100);
const subscribers = Number(process.env.SUBSCRIBERS ?? 1_000);
const subscriberConnections = Number(process.env.SUBSCRIBER_CONNECTIONS ?? 10);
const rounds = Number(process.env.ROUNDS ?? 20);
const wsUrl = `${base.replace(/^http/, 'ws')}/graphql`;

const rssBytes = () => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) * 1024;
};

async function liveSubscriptions() {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('filmserver_live_subscriptions '));
  return Number(line?.split(' ')[1] ?? 0);
}

async function until(what, holds, seconds = 120) {
  const deadline = Date.now() + seconds * 1000;
  while (!(await holds())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function graphql(query, variables = {}) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const clientsOf = (n) =>
  Array.from({ length: n }, () =>
    createClient({ url: wsUrl, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 }),
  );

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const ms = (value) => `${value.toFixed(1)} ms`;

// 1. Memory per idle subscription.
{
  const before = rssBytes();
  const clients = clientsOf(connections);
  const stops = [];
  for (let i = 0; i < subscriptions; i += 1) {
    stops.push(
      clients[i % connections].subscribe(
        { query: 'subscription { catalogChanged { id kind slug } }' },
        { next: () => {}, error: (e) => console.error('subscription error', e), complete: () => {} },
      ),
    );
  }
  await until(`${subscriptions} subscriptions run`, async () => (await liveSubscriptions()) >= subscriptions);
  const after = rssBytes();
  console.log(
    `idle subscriptions: ${subscriptions} over ${connections} connections; server RSS ${(before / 2 ** 20).toFixed(1)} MiB -> ${(after / 2 ** 20).toFixed(1)} MiB; ` +
      `${((after - before) / subscriptions).toFixed(0)} bytes per subscription (connections included)`,
  );
  stops.forEach((stop) => stop());
  await Promise.all(clients.map((client) => client.dispose()));
  await until('the subscriptions end', async () => (await liveSubscriptions()) === 0);
}

// 2. Publish -> the N-th subscriber.
{
  const film = (await graphql('{ movie(slug: "m-butterfly") { id version } }')).movie;
  let version = film.version;
  const clients = clientsOf(subscriberConnections);
  const arrivals = new Map(); // version -> [ms since the publish was sent]
  let sentAt = 0;
  for (let i = 0; i < subscribers; i += 1) {
    clients[i % subscriberConnections].subscribe(
      {
        query: 'subscription { movieChanged(slug: "m-butterfly") { event { id version } movie { title } } }',
      },
      {
        next: ({ data }) => {
          const at = performance.now() - sentAt;
          const v = data?.movieChanged?.event?.version;
          if (!arrivals.has(v)) arrivals.set(v, []);
          arrivals.get(v).push(at);
        },
        error: (e) => console.error('subscription error', e),
        complete: () => {},
      },
    );
  }
  await until(`${subscribers} subscribers`, async () => (await liveSubscriptions()) >= subscribers);
  const lastArrivals = [];
  const every = [];
  for (let round = 1; round <= rounds; round += 1) {
    const draft = await graphql(
      'mutation($id: ID!, $v: Int!, $t: String!) { updateMovie(id: $id, expectedVersion: $v, input: { title: $t }) { version } }',
      { id: film.id, v: version, t: `M. Butterfly (${round})` },
    );
    sentAt = performance.now();
    const published = await graphql(
      'mutation($id: ID!, $v: Int!) { publishMovie(id: $id, expectedVersion: $v) { version } }',
      { id: film.id, v: draft.updateMovie.version },
    );
    version = published.publishMovie.version;
    await until(`round ${round} reaches every subscriber`, async () => (arrivals.get(version)?.length ?? 0) >= subscribers, 60);
    const times = arrivals.get(version);
    lastArrivals.push(Math.max(...times));
    every.push(...times);
  }
  console.log(
    `publish -> ${subscribers}th subscriber (movieChanged with the film's title, ${subscriberConnections} connections, ${rounds} publishes): ` +
      `p50 ${ms(percentile(lastArrivals, 50))}, p99 ${ms(percentile(lastArrivals, 99))}; ` +
      `every message: p50 ${ms(percentile(every, 50))}, p99 ${ms(percentile(every, 99))}`,
  );
  await Promise.all(clients.map((client) => client.dispose()));
}
