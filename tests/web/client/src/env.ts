// Where the server under test is, from the environment (see tests/web/README.md).
import { randomBytes } from 'node:crypto';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: point it at a running filmserver (see tests/web/README.md)`);
  }
  return value;
}

/** The server's base URL, e.g. `http://127.0.0.1:18090`. */
export const serverUrl = required('FILMSERVER_URL');

/** The GraphQL endpoint. */
export const graphqlUrl = new URL('/graphql', serverUrl).toString();

/** An `editor` token (`filmserver token create --name client-tests`). */
export function editorToken(): string {
  return required('FILMSERVER_EDITOR_TOKEN');
}

/** A short random suffix, so reruns against the same database never collide. */
export function runId(): string {
  return randomBytes(4).toString('hex');
}
