/*
 * The h1 server role's own cost per request, without sockets: a context
 * (not listening) serves /hello and a file mount exactly as server.ts does,
 * over a transport that delivers requests synchronously and swallows the
 * responses. Prints ns per request for the cases below. A tool for working
 * on the request path (run it with --cpu-prof to see where time goes); the
 * socket benchmarks (h1.ts) remain the measure.
 *
 *   node --import tsx h1-inproc.ts [rounds]     (H1_CASE=wrk: only cases whose name has it)
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext, LogLevel, type Protocol } from '@lws/core';
import { wireTransport } from '../packages/core/src/context/adopt.js';
import { Wsi } from '../packages/core/src/context/wsi.js';
import type { Transport, TransportHandlers } from '../packages/core/src/net/transport.js';
import { startH1Server } from '../packages/core/src/roles/h1/server.js';
import { rawRole } from '../packages/core/src/roles/raw/ops.js';
import { hello } from './lib/hello.js';

class SinkTransport implements Transport {
  h!: TransportHandlers;
  bytes = 0;
  /** Sends: a write, or everything written between cork and uncork. */
  writes = 0;
  #corked = false;
  readonly needDrain = false;
  readonly bufferedAmount = 0;
  readonly destroyed = false;
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 1;
  readonly tls = undefined;
  write(chunk: Uint8Array): boolean {
    this.bytes += chunk.length;
    if (!this.#corked) this.writes++;
    return true;
  }
  cork(): void {
    this.#corked = true;
  }
  uncork(): void {
    this.#corked = false;
    this.writes++;
  }
  pauseRead(): void {}
  resumeRead(): void {}
  end(): void {}
  destroy(): void {
    this.h.close();
  }
  setHandlers(h: TransportHandlers): void {
    this.h = h;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'h1-inproc-'));
writeFileSync(join(dir, '4k.bin'), Buffer.alloc(4096, 7));

const ctx = await createContext({
  port: 0, // listens, unused: requests come through SinkTransport
  logLevel: LogLevel.ERR,
  protocols: [hello as Protocol],
  mounts: [
    { kind: 'callback', mountpoint: '/hello', protocol: 'bench-hello' },
    { kind: 'file', mountpoint: '/static', origin: dir },
  ],
});
const vhost = ctx.vhosts[0]!;

async function run(name: string, request: string, n: number): Promise<number> {
  const t = new SinkTransport();
  const wsi = new Wsi({ owner: ctx as never, vhost, transport: t, role: rawRole });
  wireTransport(wsi, t);
  startH1Server(wsi, [vhost]);
  const req = Buffer.from(request, 'latin1');
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const copy = Buffer.allocUnsafe(req.length); // as a socket read would be
    req.copy(copy);
    t.h.data(copy);
    // a response that did not go out at once (a file read, the head flush): let it finish
    while (t.writes <= i) await new Promise(setImmediate);
  }
  const ns = Number(process.hrtime.bigint() - t0) / n;
  if (t.writes < n) throw new Error(`${name}: ${t.writes} responses to ${n} requests`);
  wsi.destroy();
  return ns;
}

const WRK = 'GET /hello HTTP/1.1\r\nHost: 127.0.0.1:9100\r\n\r\n';
const BROWSER =
  'GET /hello HTTP/1.1\r\nHost: 127.0.0.1:9100\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36\r\n' +
  'Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\nAccept-Encoding: gzip, deflate, br\r\nAccept-Language: en-US,en;q=0.9\r\nConnection: keep-alive\r\n\r\n';
const FILE = 'GET /static/4k.bin HTTP/1.1\r\nHost: 127.0.0.1:9100\r\n\r\n';
const cases: [string, string][] = [
  ['/hello (wrk)', WRK],
  ['/hello (browser headers)', BROWSER],
  ['4 KiB file (wrk)', FILE],
];
const only = process.env.H1_CASE; // a substring of a case's name: run only those
if (only) cases.splice(0, cases.length, ...cases.filter(([name]) => name.includes(only)));
const rounds = Number(process.argv[2] ?? 5);
const N = 200_000;
for (const [name, r] of cases) await run(name, r, N); // warm-up
for (const [name, r] of cases) {
  const xs: number[] = [];
  for (let i = 0; i < rounds; i++) xs.push(await run(name, r, N));
  xs.sort((a, b) => a - b);
  console.log(`${name.padEnd(26)} ${xs[xs.length >> 1]!.toFixed(0).padStart(6)} ns/request (median of ${rounds} x ${N})`);
}
await ctx.destroy();
