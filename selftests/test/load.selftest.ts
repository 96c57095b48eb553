/*
 * Load check: h2load --h1 against minimal-http-server's index.html, 10,000
 * and 100,000 requests at 1, 10 and 100 concurrent clients; every response
 * must be 2xx. Measured here (2 shared cores): 10k runs take 1-3 s, 100k
 * runs 10-30 s, about a minute for all six, so all six run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerExample } from '../lib/examples.js';
import { run, stopAll } from '../lib/processes.js';

interface H2loadSummary {
  total: number;
  succeeded: number;
  failed: number;
  errored: number;
  timeout: number;
  status2xx: number;
  reqPerSec: number;
}

/** Parse h2load's `finished in`, `requests:` and `status codes:` lines. */
function parseH2load(out: string): H2loadSummary {
  const req = /requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(out);
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(out);
  const rate = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out);
  if (!req || !codes || !rate) throw new Error(`Cannot parse h2load output:\n${out}`);
  return {
    total: Number(req[1]),
    succeeded: Number(req[2]),
    failed: Number(req[3]),
    errored: Number(req[4]),
    timeout: Number(req[5]),
    status2xx: Number(codes[1]),
    reqPerSec: Number(rate[1]),
  };
}

describe('load: h2load --h1 against minimal-http-server', () => {
  let url = '';
  beforeAll(async () => {
    url = (await startServerExample('http-server/minimal-http-server', ['-d', '1027'])).url;
  });
  afterAll(async () => {
    await stopAll();
  });

  const runs = [10_000, 100_000].flatMap((n) => [1, 10, 100].map((c) => [n, c] as const));
  it.each(runs)('%i requests over %i clients: every response 2xx', async (n, c) => {
    const r = await run('h2load', ['--h1', '-n', String(n), '-c', String(c), '-T', '10', `${url}/index.html`], 120_000);
    expect(r.code).toBe(0);
    const s = parseH2load(r.output);
    console.log(`h2load --h1 -n ${n} -c ${c}: ${s.reqPerSec} req/s`);
    expect(s).toMatchObject({ total: n, succeeded: n, failed: 0, errored: 0, timeout: 0, status2xx: n });
  }, 130_000);
});
