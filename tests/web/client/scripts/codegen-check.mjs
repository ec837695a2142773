// `npm run codegen:check`: fails when the committed client/gql/ is not what
// `npm run codegen` makes from the current schema.graphql and documents.
// Regenerates into a temporary folder (CODEGEN_OUT) and compares file by file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const committed = 'client/gql';

function staleFiles(fresh) {
  const names = new Set([...readdirSync(committed), ...readdirSync(fresh)]);
  const read = (dir, name) => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch {
      return null;
    }
  };
  return [...names].sort().filter((name) => read(committed, name) !== read(fresh, name));
}

const tmp = mkdtempSync(join(tmpdir(), 'filmserver-codegen-'));
try {
  // npm puts node_modules/.bin on PATH for its scripts.
  execFileSync('graphql-codegen', ['--config', 'client/codegen.ts'], {
    stdio: 'inherit',
    env: { ...process.env, CODEGEN_OUT: `${tmp}/` },
  });
  const stale = staleFiles(tmp);
  if (stale.length) {
    console.error(
      `client/gql/ is out of date with schema.graphql or the documents (${stale.join(', ')} differ):\n` +
        'run `npm run codegen` and commit the result.',
    );
    process.exitCode = 1;
  } else {
    console.log('client/gql/ is up to date with schema.graphql and the documents.');
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
