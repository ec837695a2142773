// Usage: node audit.mjs http://127.0.0.1:PORT/graphql
// Prints every audit that is not "ok" and exits 1 when any is a warning or an error.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
const results = await auditServer({ url });
let bad = 0;
for (const result of results) {
  if (result.status !== 'ok') {
    bad += 1;
    let detail = result.reason;
    if (result.response) {
      detail += ` (HTTP ${result.response.status})`;
    }
    console.log(`${result.status.toUpperCase()} ${result.id} ${result.name}: ${detail}`);
  }
}
const ok = results.length - bad;
console.log(`${ok} of ${results.length} audits ok, ${bad} warnings or errors`);
process.exit(bad === 0 ? 0 : 1);
