// Builds the self-hosted IDE assets into ../dist (run by scripts/refresh-assets.sh after
// `npm ci`):
//
// - GraphiQL (graphiql + explorer plugin + React, production build) bundled with esbuild
//   into one script and one stylesheet, plus Monaco's three web workers as separate files;
//   the fonts that the packages inline as data: URLs are written out as font files;
// - GraphQL Playground's prebuilt bundle, taken from its npm tarball (pinned by version and
//   sha512 integrity in package.json's "prebuilt" field), with our own init script;
// - graphiql.html and playground.html, which load all of it from `/assets/<file>`: no
//   inline script, no other origin;
// - a gzip twin (`<file>.gz`, `gzip -9n`) of every large compressible file;
// - ../SHA256SUMS (every file of ../dist) and ../VERSIONS.
//
// Every file but the two pages is named `<name>.<first 8 hex of its SHA-256>.<ext>`, so it
// can be cached as immutable. The output depends only on the locked packages, this folder
// and gzip: the same inputs give the same bytes.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const assetsDir = path.resolve(here, '..');
const distDir = path.join(assetsDir, 'dist');
const pkg = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(path.join(here, 'package-lock.json'), 'utf8'));

/** name in dist → bytes */
const files = new Map();

function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Adds `bytes` as `<base>.<hash>.<ext>` and returns that name. */
function addHashed(base, ext, bytes) {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8');
  const name = `${base}.${sha256(buffer).slice(0, 8)}.${ext}`;
  const known = files.get(name);
  if (known && !known.equals(buffer)) {
    throw new Error(`two different files would be named ${name}`);
  }
  files.set(name, buffer);
  return name;
}

const production = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  write: false,
  target: 'es2020',
  legalComments: 'eof',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
};

/** Monaco's ESM modules import their own CSS files; graphiql/style.css (imported by
 *  src/graphiql.jsx) already holds all of Monaco's CSS, of the same Monaco version, so
 *  those imports are dropped rather than bundled twice. */
const dropPackageCss = {
  name: 'drop-package-css-imported-from-js',
  setup(build) {
    build.onResolve({ filter: /\.css$/ }, (args) => {
      if (args.kind === 'import-statement' && /node_modules/.test(args.importer)) {
        return { path: args.path, namespace: 'dropped-css' };
      }
      return undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'dropped-css' }, () => ({ contents: '', loader: 'js' }));
  },
};

async function bundleOne(options) {
  const result = await esbuild.build({ ...production, ...options });
  const out = {};
  for (const file of result.outputFiles) {
    out[path.extname(file.path).slice(1)] = Buffer.from(file.contents);
  }
  return out;
}

// 1. Monaco's workers, each a classic worker script.
const workers = {
  EDITOR: ['editor.worker', 'monaco-editor/esm/vs/editor/editor.worker.js'],
  JSON: ['json.worker', 'monaco-editor/esm/vs/language/json/json.worker.js'],
  GRAPHQL: ['graphql.worker', 'monaco-graphql/esm/graphql.worker.js'],
};
const workerDefines = {};
for (const [key, [base, entry]] of Object.entries(workers)) {
  const { js } = await bundleOne({
    entryPoints: [entry],
    format: 'iife',
    outdir: 'out',
    plugins: [dropPackageCss],
  });
  workerDefines[`__${key}_WORKER_URL__`] = JSON.stringify(`/assets/${addHashed(base, 'js', js)}`);
}

// 2. GraphiQL: one script, one stylesheet.
const graphiql = await bundleOne({
  entryPoints: [path.join(here, 'src/graphiql.jsx')],
  format: 'iife',
  outdir: 'out',
  jsx: 'automatic',
  define: { ...production.define, ...workerDefines },
  loader: { '.ttf': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl' },
  // graphql-ws (an optional peer of @graphiql/toolkit) is bundled: subscriptions run over it.
  plugins: [dropPackageCss],
});
const graphiqlJs = addHashed('graphiql', 'js', graphiql.js);
const graphiqlCss = addHashed('graphiql', 'css', extractFonts(graphiql.css.toString('utf8')));

/** Writes every font that `css` inlines as a data: URL out as a file of its own, named by
 *  its family, and points the CSS at `/assets/<file>` instead. */
function extractFonts(css) {
  const extensions = {
    'font/ttf': 'ttf',
    'font/truetype': 'ttf',
    'application/x-font-ttf': 'ttf',
    'font/woff': 'woff',
    'application/font-woff': 'woff',
    'font/woff2': 'woff2',
    'application/font-woff2': 'woff2',
  };
  return css.replace(/@font-face\s*\{[^}]*\}/g, (rule) => {
    const family = /font-family:\s*(["']?)([^;}"']+)\1/.exec(rule)?.[2] ?? 'font';
    const base = family.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    return rule.replace(
      /url\((["']?)data:([a-z0-9/+.-]+);base64,([A-Za-z0-9+/=]+)\1\)/g,
      (whole, _quote, mime, data) => {
        const ext = extensions[mime];
        if (!ext) {
          return whole;
        }
        return `url(/assets/${addHashed(base, ext, Buffer.from(data, 'base64'))})`;
      },
    );
  });
}

// 3. GraphQL Playground: the prebuilt files of its npm tarball, checked against the pinned
//    sha512 integrity (npm checks it against the registry's too).
const prebuilt = pkg.prebuilt['graphql-playground-react'];
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'playground-'));
let playground;
try {
  const packed = JSON.parse(
    execFileSync(
      'npm',
      ['pack', `graphql-playground-react@${prebuilt.version}`, '--json', '--pack-destination', scratch],
      { cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    ),
  )[0];
  const tarball = path.join(scratch, packed.filename);
  const integrity = `sha512-${createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`;
  if (integrity !== prebuilt.integrity) {
    throw new Error(
      `graphql-playground-react@${prebuilt.version}: tarball integrity ${integrity}, pinned ${prebuilt.integrity}`,
    );
  }
  const wanted = prebuilt.files;
  execFileSync('tar', ['-xzf', tarball, '-C', scratch, ...wanted.map((file) => `package/${file}`)]);
  const read = (suffix) => {
    const file = wanted.find((name) => name.endsWith(suffix));
    return fs.readFileSync(path.join(scratch, 'package', file));
  };
  // The source maps are not shipped: drop the comments that point at them.
  const noMap = (bytes) => Buffer.from(bytes.toString('utf8').replace(/\n?\/[/*]# sourceMappingURL=[^\n]*\s*$/, '\n'));
  playground = {
    js: addHashed('middleware', 'js', noMap(read('/middleware.js'))),
    css: addHashed('index', 'css', noMap(read('/index.css'))),
    favicon: addHashed('favicon', 'png', read('/favicon.png')),
  };
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
const playgroundInit = addHashed('playground-init', 'js', fs.readFileSync(path.join(here, 'src/playground-init.js')));
const playgroundPage = addHashed('playground-page', 'css', fs.readFileSync(path.join(here, 'src/playground-page.css')));

// 4. The pages.
function page(template, names) {
  let html = fs.readFileSync(path.join(here, 'src', template), 'utf8');
  html = html.replace(/\{\{([a-z-]+)\}\}/g, (_, key) => {
    if (!(key in names)) {
      throw new Error(`${template}: no file for {{${key}}}`);
    }
    return `/assets/${names[key]}`;
  });
  if (/<script>|\son[a-z]+=|https?:|\/\/[a-z]/i.test(html.replace(/<!--[\s\S]*?-->/g, ''))) {
    throw new Error(`${template}: inline script, event handler or other origin`);
  }
  files.set(template, Buffer.from(html, 'utf8'));
}
page('graphiql.html', { 'graphiql-css': graphiqlCss, 'graphiql-js': graphiqlJs });
page('playground.html', {
  'playground-css': playground.css,
  'playground-page-css': playgroundPage,
  favicon: playground.favicon,
  'playground-js': playground.js,
  'playground-init-js': playgroundInit,
});

// 5. Gzip twins of the large compressible files (served when the client takes gzip).
for (const [name, bytes] of [...files]) {
  if (!/\.(js|css|ttf)$/.test(name) || bytes.length < 1024) {
    continue;
  }
  const gz = execFileSync('gzip', ['-9', '-n', '-c'], { input: bytes, maxBuffer: 1 << 30 });
  if (gz.length < bytes.length * 0.9) {
    files.set(`${name}.gz`, gz);
  }
}

// 6. Replace dist, then record checksums and versions.
fs.rmSync(distDir, { recursive: true, force: true });
fs.mkdirSync(distDir, { recursive: true });
const names = [...files.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
for (const name of names) {
  fs.writeFileSync(path.join(distDir, name), files.get(name));
}
fs.writeFileSync(
  path.join(assetsDir, 'SHA256SUMS'),
  names.map((name) => `${sha256(files.get(name))}  ${name}\n`).join(''),
);

const installed = (name) => lock.packages[`node_modules/${name}`]?.version ?? '?';
const bundled = [
  'graphiql',
  '@graphiql/react',
  '@graphiql/plugin-explorer',
  'graphiql-explorer',
  '@graphiql/plugin-doc-explorer',
  '@graphiql/plugin-history',
  '@graphiql/toolkit',
  'graphql-ws',
  'react',
  'react-dom',
  'graphql',
  'monaco-editor',
  'monaco-graphql',
  'prettier',
];
const nested = (name) =>
  Object.entries(lock.packages).find(([key]) => key.endsWith(`node_modules/${name}`))?.[1].version ?? '?';
const lines = [
  '# The packages the files in assets/dist come from (exact versions, from',
  '# assets/build/package-lock.json and package.json). Rebuild: scripts/refresh-assets.sh',
  '',
  '# bundled into graphiql.*.js / graphiql.*.css / *.worker.*.js (esbuild, production, minified)',
  ...bundled.map((name) => `${name} ${installed(name) === '?' ? nested(name) : installed(name)}`),
  '',
  '# copied from the npm tarball (prebuilt): middleware.*.js, index.*.css, favicon.*.png',
  `graphql-playground-react ${prebuilt.version} ${prebuilt.integrity}`,
  '',
  '# build tool',
  `esbuild ${installed('esbuild')}`,
  '',
];
fs.writeFileSync(path.join(assetsDir, 'VERSIONS'), lines.join('\n'));

for (const name of names) {
  console.log(`${String(files.get(name).length).padStart(9)}  ${name}`);
}
