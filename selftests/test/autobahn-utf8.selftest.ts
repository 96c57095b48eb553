/*
 * Autobahn-grade conformance, section 6 (UTF-8 handling, fail fast): our
 * independent fuzzing client against minimal-ws-server-echo, one `it` per
 * case with the strict verdict.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { section6 } from '../autobahn/cases-utf8.js';
import { runCase, verdict } from '../autobahn/runner.js';
import { startServerExample, type StartedServer } from '../lib/examples.js';
import { stopAll } from '../lib/processes.js';

let server: StartedServer;
beforeAll(async () => {
  server = await startServerExample('ws-server/minimal-ws-server-echo');
});
afterAll(async () => {
  await stopAll();
});

const groups = [
  ['6 UTF-8', section6()],
] as const;

for (const [name, cases] of groups) {
  describe(`autobahn ${name}`, () => {
    for (const c of cases) {
      it(`${c.id} ${c.title}`, async () => {
        verdict(c, await runCase(server.url, c));
      });
    }
  });
}
