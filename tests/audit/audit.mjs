// GraphQL-over-HTTP compliance: runs the graphql-http server audit against a running srb.
// Usage: node audit.mjs http://127.0.0.1:8080/graphql
// Fails (exit 1) when any MUST audit fails; SHOULD and MAY findings are listed as warnings.
import { auditServer } from 'graphql-http';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/graphql';
const results = await auditServer({ url });
let failed = 0;
let warned = 0;
for (const r of results) {
  if (r.status === 'ok') continue;
  const reason = r.reason ?? '';
  if (r.status === 'error') failed += 1;
  else warned += 1;
  console.log(`${r.status.toUpperCase()} ${r.name}: ${reason}`);
}
const passed = results.length - failed - warned;
console.log(`graphql-http audit of ${url}: ${results.length} audits, ${passed} ok, ${warned} warnings (SHOULD/MAY), ${failed} MUST failures`);
console.log(`audit: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
