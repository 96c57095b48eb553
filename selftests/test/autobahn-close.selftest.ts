/*
 * Autobahn-grade conformance, section 7 (closing handshake, close codes):
 * our independent fuzzing client against minimal-ws-server-echo, one `it`
 * per case with the strict verdict.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { section7 } from '../autobahn/cases-close.js';
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
  ['7 close handling', section7()],
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
