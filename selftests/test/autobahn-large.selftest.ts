/*
 * Autobahn-grade conformance, section 9 (big messages, fragments, small
 * TCP writes, round trips): our independent fuzzing client against
 * minimal-ws-server-echo started with a 16 MiB + 1 message limit. Each
 * case is bounded; the last test bounds the section's total time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { section9 } from '../autobahn/cases-large.js';
import { runCase, verdict } from '../autobahn/runner.js';
import { startServerExample, type StartedServer } from '../lib/examples.js';
import { stopAll } from '../lib/processes.js';

const SECTION_BUDGET_MS = 90_000;
let server: StartedServer;
let spent = 0;

beforeAll(async () => {
  server = await startServerExample('ws-server/minimal-ws-server-echo', ['--max-message', String(16 * 1024 * 1024 + 1)]);
});
afterAll(async () => {
  await stopAll();
});

describe('autobahn 9 limits and performance', () => {
  for (const c of section9()) {
    it(`${c.id} ${c.title}`, { timeout: (c.ms ?? 5000) + 5000 }, async () => {
      const t0 = performance.now();
      const outcome = await runCase(server.url, c);
      spent += performance.now() - t0;
      verdict(c, outcome);
    });
  }

  it(`9.0 the whole section ran within ${SECTION_BUDGET_MS / 1000} s`, () => {
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThan(SECTION_BUDGET_MS);
  });
});
