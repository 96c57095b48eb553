/*
 * Autobahn-grade conformance, sections 1-4 (framing, ping/pong, RSV bits,
 * reserved opcodes): our independent fuzzing client against
 * minimal-ws-server-echo, one `it` per case with the strict verdict.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { framingSections } from '../autobahn/cases-framing.js';
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
  ['1 framing', framingSections.section1()],
  ['2 pings and pongs', framingSections.section2()],
  ['3 reserved bits', framingSections.section3()],
  ['4 reserved opcodes', framingSections.section4()],
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
