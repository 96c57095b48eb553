// Totals the vitest JSON reports in a directory into the one closing line
// CI reads. A step that failed without a failing test (typecheck, a suite
// that did not load, a crashed runner) counts as one failure each.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, stepFailuresArg] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let brokenSuites = 0;
for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
  const r = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  for (const s of r.testResults ?? []) {
    if (s.status === 'failed' && (s.assertionResults ?? []).length === 0) brokenSuites++;
  }
}
const stepFailures = Number(stepFailuresArg ?? 0);
// a failed step already shows as failed tests when tests failed in it
const extra = failed + brokenSuites === 0 ? stepFailures : brokenSuites;
failed += extra;
if (passed + failed === 0) failed = 1; // running no test at all is a failure
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
