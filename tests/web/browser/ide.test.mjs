// GraphiQL (at /) and GraphQL Playground (at /playground) as people use them, in Debian's
// Chromium driven by Playwright: the pages load only from the server itself (no CSP
// violation, no request to another origin, no console error), run M. Butterfly's page, show
// the schema's docs, let an editor paste a token and create a film, and run a subscription
// that shows a publish as it happens. With the IDEs turned off, the pages are 404. A failing test leaves a screenshot in SCREENSHOT_DIR.
//
// Env: FILMSERVER_URL, FILMSERVER_EDITOR_TOKEN, FILMSERVER_WITHOUT_IDES_URL, CHROMIUM_PATH,
// SCREENSHOT_DIR.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = required('FILMSERVER_URL');
const token = required('FILMSERVER_EDITOR_TOKEN');
const screenshots = process.env.SCREENSHOT_DIR || 'screenshots';
let browser;

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
after(async () => browser?.close());

/** Monaco and CodeMirror show spaces as no-break spaces. */
const textOf = async (locator) => (await locator.innerText()).replace(/\u00a0/g, ' ');

/** Opens a page, watching for what must not happen; runs `steps`; screenshots on failure. */
async function onPage(t, path, steps) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) =>
      window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(base) && !url.startsWith('data:')) problems.push(`other origin: ${url}`);
  });
  const workers = [];
  page.on('worker', (worker) => workers.push(worker.url()));
  const name = t.name.replace(/[^a-z0-9]+/gi, '-');
  try {
    const response = await page.goto(base + path);
    assert.equal(response.status(), 200);
    await steps(page, workers);
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'CSP violations');
    assert.deepEqual(problems, [], 'console errors or requests elsewhere');
    await page.screenshot({ path: join(screenshots, `${name}.png`) });
  } catch (error) {
    await page.screenshot({ path: join(screenshots, `${name}-FAILED.png`) }).catch(() => {});
    throw error;
  } finally {
    await context.close();
  }
}

/** The film an editor creates from an IDE, typed on one line (both editors close brackets
 * and indent on their own when a line ends). */
const createMovie = (slug, title) =>
  `mutation CreateFilm { createMovie(input: { title: "${title}", slug: "${slug}", releaseYear: 2026 }, publish: true) { slug title } }`;

/** Runs GraphiQL's operation `name` once the editor's text is GraphiQL's: it takes the
 * operation's name from the editor a moment after typing (the tab shows it), and a run before
 * that asks the server for the old operation. */
async function runNamed(page, name) {
  await page.locator('.graphiql-tab', { hasText: new RegExp(`^${name}$`) }).waitFor();
  await page.locator('button.graphiql-execute-button').click();
}

test('GraphiQL runs the film page, shows the docs, and an editor creates a film', async (t) => {
  await onPage(t, '/', async (page, workers) => {
    assert.equal(await page.title(), 'Film content server');
    const operation = page.locator('.monaco-editor[data-uri$="operation.graphql"]');
    await operation.locator('.view-lines').waitFor();
    assert.match(await textOf(operation), /movie\(slug: "m-butterfly"\)/);

    await page.locator('button.graphiql-execute-button').click();
    const result = page.locator('section.result-window');
    await result.getByText('Jeremy Irons').waitFor({ timeout: 20_000 });
    const shown = await textOf(result);
    assert.ok(shown.includes('"M. Butterfly"'), shown);
    assert.ok(shown.includes('"Jeremy Irons"'), shown);
    await page.screenshot({ path: join(screenshots, 'graphiql.png') });

    await page.locator('button[aria-label="Show Documentation Explorer"]').click();
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.locator('a.graphiql-doc-explorer-type-name', { hasText: /^Movie$/ }).first().click();
    await docs.locator('.graphiql-doc-explorer-title', { hasText: /^Movie$/ }).waitFor();
    await docs.locator('a.graphiql-doc-explorer-field-name', { hasText: /^sections$/ }).waitFor();

    await page.locator('button[aria-label="Show GraphiQL Explorer"]').click();
    await page.locator('.graphiql-explorer-root input[value="FilmPage"]').waitFor();

    // An editor pastes a token into the headers tab and creates a film.
    await page.getByRole('button', { name: 'Headers', exact: true }).click();
    await page.locator('.monaco-editor[data-uri$="request-headers.json"]').click();
    await page.keyboard.insertText(`{"Authorization": "Bearer ${token}"}`);
    await operation.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(createMovie('browser-test-film-graphiql', 'Made in GraphiQL'));
    await runNamed(page, 'CreateFilm');
    await result.getByText('browser-test-film-graphiql').waitFor({ timeout: 20_000 });
    assert.ok(!(await textOf(result)).includes('"errors"'), await textOf(result));

    // ...and reads it back.
    await operation.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('query ReadBack { movie(slug: "browser-test-film-graphiql") { title } }');
    await runNamed(page, 'ReadBack');
    await result.getByText('Made in GraphiQL').waitFor({ timeout: 20_000 });

    for (const kind of ['editor.worker', 'json.worker', 'graphql.worker']) {
      assert.ok(workers.some((url) => url.startsWith(`${base}/assets/${kind}.`)), workers.join(' '));
    }
  });
});

test('Playground runs the film page, shows the docs, and an editor creates a film', async (t) => {
  await onPage(t, '/playground', async (page) => {
    const editors = page.locator('.playground .CodeMirror');
    await editors.first().waitFor();
    assert.match(await textOf(editors.first()), /movie\(slug: "m-butterfly"\)/);
    const run = page.locator('[title="Execute Query (Ctrl-Enter)"]');
    await run.click();
    const result = page.locator('.playground .CodeMirror-wrap');
    await result.getByText('Jeremy Irons').waitFor({ timeout: 20_000 });
    assert.ok((await textOf(result)).includes('"M. Butterfly"'));

    await page.getByText(/^docs$/i).click();
    await page.getByText('movie', { exact: true }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Escape');

    // The token goes into the HTTP HEADERS panel under the query.
    const headersTab = page.getByText(/^\s*http headers\s*$/i);
    await headersTab.click();
    await headersTab.locator('xpath=../..').locator('.CodeMirror').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(`{"Authorization": "Bearer ${token}"}`);
    await editors.first().click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(createMovie('browser-test-film-playground', 'Made in Playground'));
    await run.click();
    await result.getByText('browser-test-film-playground').waitFor({ timeout: 20_000 });
    assert.ok(!(await textOf(result)).includes('"errors"'), await textOf(result));
  });
});

/** How many subscriptions the server runs now (from /metrics). */
async function liveSubscriptions() {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('filmserver_live_subscriptions '));
  return Number(line?.split(' ')[1] ?? 0);
}

/** Polls until the server runs more than `before` subscriptions (at most 20 s). */
async function subscribed(before) {
  const deadline = Date.now() + 20_000;
  while ((await liveSubscriptions()) <= before) {
    assert.ok(Date.now() < deadline, 'the IDE never subscribed');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Creates and publishes a film over HTTP, as an editor. */
async function publishFilm(slug) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: createMovie(slug, 'Published while watching') }),
  });
  const body = await response.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
}

const LIVE = 'subscription Live { catalogChanged { kind slug } }';

test('GraphiQL runs a subscription and shows a publish as it happens', async (t) => {
  await onPage(t, '/', async (page) => {
    const operation = page.locator('.monaco-editor[data-uri$="operation.graphql"]');
    await operation.locator('.view-lines').waitFor();
    await operation.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(LIVE);
    const before = await liveSubscriptions();
    await runNamed(page, 'Live');
    await subscribed(before);
    await publishFilm('browser-live-graphiql');
    const result = page.locator('section.result-window');
    await result.getByText('browser-live-graphiql').waitFor({ timeout: 20_000 });
    assert.ok((await textOf(result)).includes('"PUBLISHED"'), await textOf(result));
  });
});

test('Playground runs a subscription and shows a publish as it happens', async (t) => {
  await onPage(t, '/playground', async (page) => {
    const editors = page.locator('.playground .CodeMirror');
    await editors.first().waitFor();
    await editors.first().click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(LIVE);
    const before = await liveSubscriptions();
    await page.locator('[title="Execute Query (Ctrl-Enter)"]').click();
    await subscribed(before);
    await publishFilm('browser-live-playground');
    const result = page.locator('.playground .CodeMirror-wrap');
    await result.getByText('browser-live-playground').waitFor({ timeout: 20_000 });
    assert.ok((await textOf(result)).includes('"PUBLISHED"'), await textOf(result));
  });
});

test('with the IDEs turned off, their pages are not found', async () => {
  const off = required('FILMSERVER_WITHOUT_IDES_URL');
  const context = await browser.newContext();
  try {
    for (const path of ['/', '/playground']) {
      const response = await context.request.get(off + path);
      assert.equal(response.status(), 404, path);
    }
  } finally {
    await context.close();
  }
});
