/*
 * Autobahn-grade conformance, sections 5 (fragmentation) and 10 (a message
 * in many small fragments): our independent fuzzing client against
 * minimal-ws-server-echo, one `it` per case with the strict verdict.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { section10, section5 } from '../autobahn/cases-fragments.js';
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
  ['5 fragmentation', section5()],
  ['10 many small fragments', section10()],
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
