/*
 * WebSocket echo round trips side by side, loopback only. Three tables:
 *
 *  1. servers: one load client (the `ws` package's) against our
 *     minimal-ws-server-echo and a `ws` echo server, each in its own child
 *     process; binary messages of 16 B, 1 KiB and 64 KiB on 1 and 10
 *     connections, one message in flight per connection.
 *  2. clients: our ws client (clientConnect, role 'ws') against the `ws`
 *     client, both in this process, against the same `ws` echo server.
 *  3. permessage-deflate: 1 KiB of compressible text, off and on, for
 *     both comparisons.
 *
 * Contenders alternate within each round (the order rotating); each cell is
 * the median of ROUNDS rounds of BATCH_MS after a warm-up round. Every echo
 * is checked byte for byte. Besides messages/s it reports CPU per message:
 * of the server process (from /proc/PID/task/{*}/schedstat) in table 1, of this
 * process (the client) in table 2, and this process's CPU use in table 1 to
 * show whether the load client, not the server, was the limit. About 70 s.
 *
 *   cd bench && tsx ws.ts          # or: pnpm ws
 *
 * BENCH_ROUNDS and BENCH_BATCH_MS override the round count and batch length.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { backend } from '@lws/native';
import { createContext, defineProtocol, setLogLevel, type Context, type Wsi } from '@lws/core';
import WebSocket from 'ws';
import { startServerExample } from '../selftests/lib/examples.ts';
import { start, stopAll } from '../selftests/lib/processes.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BATCH_MS = Number(process.env.BENCH_BATCH_MS ?? 250); // per contender per round
const CONNS = [1, 10];
const SIZES: [string, number][] = [['16 B', 16], ['1 KiB', 1024], ['64 KiB', 65536]];
const SUBPROTOCOL = 'lws-minimal-server-echo';
const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));

/** The `ws` echo server: each message straight back, binary or text as it came. */
const WS_SERVER = `
const { WebSocketServer } = require('ws');
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true, maxPayload: 1048576 });
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
wss.on('listening', () => console.log('LISTENING ws://127.0.0.1:' + wss.address().port + '/'));
process.on('SIGINT', () => process.exit(0));
`;

interface Msg {
  data: Buffer;
  binary: boolean;
}

/** A set of open connections that can run one timed batch of echo round trips. */
interface Conns {
  /** Round trips per second over `ms`, one message in flight per connection. */
  batch(msg: Msg, ms: number): Promise<number>;
  close(): Promise<void>;
}

/** A contender: how to open `n` connections to `url`. */
type Opener = (url: string, n: number, pmd: boolean) => Promise<Conns>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Shared batch bookkeeping: count echoes while running, then wait for the in-flight ones. */
class Batch {
  running = false;
  count = 0;
  outstanding = 0;
  msg: Msg = { data: Buffer.alloc(0), binary: true };
  error: Error | undefined;
  #idle: (() => void) | undefined;

  /** An echo arrived; true when the connection should send the next message. */
  echoed(data: Buffer, binary: boolean): boolean {
    if (binary !== this.msg.binary || !data.equals(this.msg.data)) {
      this.error ??= new Error(`echo differs: ${data.length} bytes (binary ${binary}), sent ${this.msg.data.length} (binary ${this.msg.binary})`);
    }
    if (this.running && !this.error) {
      this.count++;
      return true;
    }
    if (--this.outstanding === 0) this.#idle?.();
    return false;
  }

  async run(msg: Msg, n: number, ms: number, kick: () => void): Promise<number> {
    this.msg = msg;
    this.count = 0;
    this.outstanding = n;
    this.running = true;
    const idle = new Promise<void>((r) => (this.#idle = r));
    const t0 = performance.now();
    kick();
    await sleep(ms);
    this.running = false;
    const elapsed = performance.now() - t0;
    const count = this.count;
    await Promise.race([idle, sleep(10_000).then(() => Promise.reject(new Error('echoes did not come back within 10 s')))]);
    if (this.error) throw this.error;
    return (count * 1000) / elapsed;
  }
}

/** The `ws` package's client. */
const wsClient: Opener = async (url, n, pmd) => {
  const b = new Batch();
  const socks = await Promise.all(
    Array.from({ length: n }, () => {
      const s = new WebSocket(url, SUBPROTOCOL, { perMessageDeflate: pmd });
      return new Promise<WebSocket>((resolve, reject) => {
        s.once('open', () => resolve(s));
        s.once('error', reject);
      });
    }),
  );
  for (const s of socks) {
    s.on('message', (data: Buffer, isBinary: boolean) => {
      if (b.echoed(data, isBinary)) s.send(b.msg.data, { binary: b.msg.binary });
    });
  }
  return {
    batch: (msg, ms) => b.run(msg, n, ms, () => socks.forEach((s) => s.send(msg.data, { binary: msg.binary }))),
    async close() {
      await Promise.all(socks.map((s) => new Promise<void>((r) => (s.once('close', () => r()), s.close(1000)))));
    },
  };
};

/** Our client: one context, the lws writeable discipline (ask on receive, write on clientWriteable). */
let ourContext: Context | undefined;
const ourGroups = new Map<Wsi, { batch: Batch; established: () => void; failed: (e: Error) => void; closed: () => void }>();
const benchProtocol = defineProtocol({
  name: 'bench-ws-client',
  ws: { maxMessageSize: 1 << 20 },
  clientEstablished: (wsi) => ourGroups.get(wsi)?.established(),
  clientConnectionError: (wsi, _pss, err) => ourGroups.get(wsi)?.failed(err),
  clientWriteable(wsi) {
    const g = ourGroups.get(wsi);
    if (g) wsi.write(g.batch.msg.data, g.batch.msg.binary ? 'binary' : 'text');
  },
  clientReceive(wsi, _pss, data, { binary }) {
    const g = ourGroups.get(wsi);
    if (g?.batch.echoed(data, binary)) wsi.callbackOnWritable();
  },
  clientClosed(wsi) {
    ourGroups.get(wsi)?.closed();
    ourGroups.delete(wsi);
  },
});

const oursClient: Opener = async (url, n, pmd) => {
  ourContext ??= await createContext({ logLevel: 1, protocols: [benchProtocol], ws: { permessageDeflate: true } });
  const ctx = ourContext;
  const u = new URL(url);
  const b = new Batch();
  const wsis: Wsi[] = [];
  const closed: Promise<void>[] = [];
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<void>((established, failed) => {
          const wsi = ctx.clientConnect({ address: u.hostname, port: Number(u.port), path: u.pathname, protocol: benchProtocol.name, role: 'ws', extra: { subprotocol: SUBPROTOCOL, permessageDeflate: pmd } });
          closed.push(new Promise<void>((c) => ourGroups.set(wsi, { batch: b, established, failed, closed: c })));
          wsis.push(wsi);
        }),
    ),
  );
  return {
    batch: (msg, ms) => b.run(msg, n, ms, () => wsis.forEach((w) => w.callbackOnWritable())),
    async close() {
      for (const w of wsis) w.close(1000, 'bye');
      await Promise.all(closed);
    },
  };
};

/** CPU time (ns) of all threads of process `pid` so far. */
function procCpuNs(pid: number): number {
  let ns = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      /* thread gone */
    }
  }
  return ns;
}

const selfCpuNs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

interface Sample {
  rate: number;
  /** CPU µs per round trip of the watched process (server or client). */
  cpuPerMsg: number;
  /** This process's CPU use over the batch, in cores. */
  selfLoad: number;
}

interface Contender {
  name: string;
  conns: Conns;
  /** pid whose CPU is charged per message; undefined = this process. */
  pid: number | undefined;
}

async function measure(c: Contender, msg: Msg): Promise<Sample> {
  const cpu = (): number => (c.pid === undefined ? selfCpuNs() : procCpuNs(c.pid));
  const [c0, s0, t0] = [cpu(), selfCpuNs(), performance.now()];
  const rate = await c.conns.batch(msg, BATCH_MS);
  const [c1, s1, t1] = [cpu(), selfCpuNs(), performance.now()];
  const msgs = (rate * (t1 - t0)) / 1000; // the drain after the window is short next to it
  return { rate, cpuPerMsg: (c1 - c0) / 1000 / Math.max(msgs, 1), selfLoad: (s1 - s0) / 1e6 / (t1 - t0) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

/** Median sample per contender; the order rotates every round, round -1 is a warm-up. */
async function race(cs: Contender[], msg: Msg): Promise<Sample[]> {
  const samples: Sample[][] = cs.map(() => []);
  for (let round = -1; round < ROUNDS; round++) {
    for (let k = 0; k < cs.length; k++) {
      const i = (k + Math.max(round, 0)) % cs.length;
      const s = await measure(cs[i] as Contender, msg);
      if (round >= 0) samples[i]?.push(s);
    }
  }
  return samples.map((ss) => ({ rate: median(ss.map((s) => s.rate)), cpuPerMsg: median(ss.map((s) => s.cpuPerMsg)), selfLoad: median(ss.map((s) => s.selfLoad)) }));
}

const fmtRate = (x: number): string => (x >= 1e4 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0));
const fmtUs = (x: number): string => x.toFixed(x >= 100 ? 0 : 1);

function binaryMsg(size: number): Msg {
  return { data: Buffer.from(Array.from({ length: size }, (_, k) => (k * 31 + 7) & 0xff)), binary: true };
}

/** 1 KiB of JSON-ish text: compresses well, as chat or telemetry would. */
function textMsg(size: number): Msg {
  let s = '';
  for (let i = 0; s.length < size; i++) s += `{"id":${i},"type":"update","user":"user${i % 7}","value":${(i * 37) % 101}},`;
  return { data: Buffer.from(s.slice(0, size)), binary: false };
}

interface Servers {
  ours: { url: string; pid: number };
  ws: { url: string; pid: number };
}

/** Open both contenders' connections, race them, close them. */
async function compare(pair: [{ name: string; open: Opener; url: string; pid: number | undefined }, { name: string; open: Opener; url: string; pid: number | undefined }], n: number, pmd: boolean, msg: Msg): Promise<Sample[]> {
  const cs: Contender[] = [];
  for (const p of pair) cs.push({ name: p.name, conns: await p.open(p.url, n, pmd), pid: p.pid });
  try {
    return await race(cs, msg);
  } finally {
    for (const c of cs) await c.conns.close();
  }
}

async function serverTable(s: Servers, sizes: [string, Msg][], pmdModes: boolean[]): Promise<string[]> {
  const rows: string[] = [];
  for (const pmd of pmdModes) {
    for (const [label, msg] of sizes) {
      for (const n of CONNS) {
        const [o, w] = (await compare([{ name: 'ours', open: wsClient, url: s.ours.url, pid: s.ours.pid }, { name: 'ws', open: wsClient, url: s.ws.url, pid: s.ws.pid }], n, pmd, msg)) as [Sample, Sample];
        rows.push(`| ${label}${pmdModes.length > 1 || pmd ? (pmd ? ', deflate' : ', no deflate') : ''} | ${n} | ${fmtRate(o.rate)} | ${fmtRate(w.rate)} | **${(o.rate / w.rate).toFixed(2)}** | ${fmtUs(o.cpuPerMsg)} | ${fmtUs(w.cpuPerMsg)} | ${(o.cpuPerMsg / w.cpuPerMsg).toFixed(2)} | ${o.selfLoad.toFixed(2)} / ${w.selfLoad.toFixed(2)} |`);
        console.error(`  server ${rows.at(-1)}`);
      }
    }
  }
  return rows;
}

async function clientTable(s: Servers, sizes: [string, Msg][], pmdModes: boolean[]): Promise<string[]> {
  const rows: string[] = [];
  for (const pmd of pmdModes) {
    for (const [label, msg] of sizes) {
      for (const n of CONNS) {
        const [o, w] = (await compare([{ name: 'ours', open: oursClient, url: s.ws.url, pid: undefined }, { name: 'ws', open: wsClient, url: s.ws.url, pid: undefined }], n, pmd, msg)) as [Sample, Sample];
        rows.push(`| ${label}${pmdModes.length > 1 || pmd ? (pmd ? ', deflate' : ', no deflate') : ''} | ${n} | ${fmtRate(o.rate)} | ${fmtRate(w.rate)} | **${(o.rate / w.rate).toFixed(2)}** | ${fmtUs(o.cpuPerMsg)} | ${fmtUs(w.cpuPerMsg)} | ${(o.cpuPerMsg / w.cpuPerMsg).toFixed(2)} |`);
        console.error(`  client ${rows.at(-1)}`);
      }
    }
  }
  return rows;
}

const SERVER_HEAD = ['| message | conns | ours msg/s | ws msg/s | ours/ws | ours server µs/msg | ws server µs/msg | CPU ours/ws | load client cores (ours / ws run) |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];
const CLIENT_HEAD = ['| message | conns | ours msg/s | ws msg/s | ours/ws | ours client µs/msg | ws client µs/msg | CPU ours/ws |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];

async function main(): Promise<void> {
  setLogLevel(1);
  const t0 = performance.now();
  // -d 1025: errors and the USER line that carries the URL; --pmd: deflate only when the client offers it
  const ours = await startServerExample('ws-server/minimal-ws-server-echo', ['-d', '1025', '--pmd']);
  const peer = start(process.execPath, ['-e', WS_SERVER], { cwd: BENCH_DIR });
  const peerUrl = (await peer.waitFor(/LISTENING (ws:\/\/\S+)\n/, 10_000))[1] as string;
  const s: Servers = { ours: { url: `${ours.url}/`, pid: ours.running.pid }, ws: { url: peerUrl, pid: peer.pid } };
  const sizes = SIZES.map(([l, n]) => [l, binaryMsg(n)] as [string, Msg]);
  const text: [string, Msg][] = [['1 KiB text', textMsg(1024)]];
  try {
    const server = await serverTable(s, sizes, [false]);
    const client = await clientTable(s, sizes, [false]);
    const serverPmd = await serverTable(s, text, [false, true]);
    const clientPmd = await clientTable(s, text, [false, true]);
    const wsVersion = (JSON.parse(readFileSync(new URL('node_modules/ws/package.json', import.meta.url), 'utf8')) as { version: string }).version;
    console.log(`\nWebSocket echo round trips, one message in flight per connection, median of ${ROUNDS} rounds of ${BATCH_MS} ms; Node ${process.version}, ws ${wsVersion}, @lws/native ${backend}\n`);
    console.log('**Servers** (the `ws` client as load for both; binary messages)\n');
    console.log([...SERVER_HEAD, ...server].join('\n'));
    console.log('\n**Clients** (both against the `ws` echo server; binary messages)\n');
    console.log([...CLIENT_HEAD, ...client].join('\n'));
    console.log('\n**permessage-deflate, servers** (1 KiB compressible text)\n');
    console.log([...SERVER_HEAD, ...serverPmd].join('\n'));
    console.log('\n**permessage-deflate, clients** (1 KiB compressible text)\n');
    console.log([...CLIENT_HEAD, ...clientPmd].join('\n'));
    console.log(`\n${((performance.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    await ourContext?.destroy();
    await stopAll();
  }
}

await main();
