/*
 * Autobahn-grade conformance, sections 12 and 13 (permessage-deflate): our
 * independent fuzzing client, compressing with node:zlib itself, against
 * minimal-ws-server-echo started with --pmd; one `it` per case.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { badOffers, runPmdCase, section12, section13 } from '../autobahn/cases-pmd.js';
import { startServerExample, type StartedServer } from '../lib/examples.js';
import { stopAll } from '../lib/processes.js';

let server: StartedServer;
beforeAll(async () => {
  server = await startServerExample('ws-server/minimal-ws-server-echo', ['--pmd']);
});
afterAll(async () => {
  await stopAll();
});

const groups = [
  ['12 compressed messages, default offer', section12()],
  ['13 offer variants', section13()],
  ['13.90 bad offers declined', badOffers()],
] as const;

for (const [name, cases] of groups) {
  describe(`autobahn ${name}`, () => {
    for (const c of cases) {
      it(`${c.id} ${c.title}`, async () => {
        await runPmdCase(server.url, c);
      });
    }
  });
}
