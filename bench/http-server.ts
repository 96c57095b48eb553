/*
 * Server throughput side by side: h2load --h1 against our
 * minimal-http-server, Debian nginx (1 worker) and a node:http static
 * server, all serving the same index.html on loopback. Rounds alternate
 * the servers; each cell is the median req/s of its rounds, and the ratios
 * are ours/peer. Bounded: a fixed request count per round, a fixed number of rounds.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startNginx } from '../selftests/peers/nginx.ts';
import { start, stopAll } from '../selftests/lib/processes.ts';
import { startServerExample } from '../selftests/lib/examples.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20000);
// the nginx peer allows 64 worker connections
const CLIENTS = [1, 10, 50];

const index = readFileSync(fileURLToPath(new URL('../minimal-examples/http-server/minimal-http-server/mount-origin/index.html', import.meta.url)));

function h2load(url: string, clients: number): number {
  const out = execFileSync('h2load', ['--h1', '-n', String(REQUESTS), '-c', String(clients), '-T', '10', url], { encoding: 'utf8', timeout: 120_000 });
  const ok = /status codes: (\d+) 2xx/.exec(out);
  const rate = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out);
  if (!ok || !rate || Number(ok[1]) !== REQUESTS) throw new Error(`h2load did not get ${REQUESTS} 2xx:\n${out}`);
  return Number(rate[1]);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const ours = await startServerExample('http-server/minimal-http-server', ['-d', '1025']);
  const nginx = await startNginx({ files: { 'index.html': index } });
  const nodeServer = start(process.execPath, ['-e', `
    const http = require('node:http'); const body = require('node:fs').readFileSync(${JSON.stringify(fileURLToPath(new URL('../minimal-examples/http-server/minimal-http-server/mount-origin/index.html', import.meta.url)))});
    http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length }); res.end(body); })
      .listen(0, '127.0.0.1', function () { console.log('LISTENING http://127.0.0.1:' + this.address().port + '/'); });`]);
  const nodeUrl = (await nodeServer.waitFor(/LISTENING (http:\/\/\S+)\n/, 10_000))[1] as string;
  const targets = { ours: `${ours.url}/index.html`, nginx: `${nginx.url}/index.html`, 'node:http': `${nodeUrl}index.html` };
  try {
    console.log(`h2load --h1, ${REQUESTS} requests per round, ${ROUNDS} rounds, median req/s`);
    console.log('| clients | ours | nginx | node:http | ours/nginx | ours/node:http |');
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const c of CLIENTS) {
      const rates: Record<string, number[]> = { ours: [], nginx: [], 'node:http': [] };
      for (let r = 0; r < ROUNDS; r++) {
        const order = Object.keys(targets);
        for (let k = 0; k < r % order.length; k++) order.push(order.shift() as string);
        for (const name of order) rates[name]?.push(h2load(targets[name as keyof typeof targets], c));
      }
      const [o, n, h] = [median(rates.ours ?? []), median(rates.nginx ?? []), median(rates['node:http'] ?? [])];
      console.log(`| ${c} | ${o.toFixed(0)} | ${n.toFixed(0)} | ${h.toFixed(0)} | ${(o / n).toFixed(2)} | ${(o / h).toFixed(2)} |`);
    }
  } finally {
    await nginx.stop();
    await stopAll();
  }
}

await main();
