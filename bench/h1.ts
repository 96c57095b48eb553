/*
 * HTTP/1.1 server benchmark: wrk against three servers in the same run.
 *
 *   ours       bench/server.ts --mode h1 (our library; one node process,
 *              started as `node --import tsx server.ts`, so the pid we spawn
 *              is the pid that serves: checked against the listening socket;
 *              our packages without tsx's inline source maps, see
 *              lib/no-inline-maps.mjs)
 *   node:http  bench/peers/node-http-server.cjs (http.createServer; static
 *              files with fs.stat + fs.createReadStream().pipe(res))
 *   lws C      Debian's libwebsockets-test-server (lws 4.1.6), one process,
 *              one thread. Its file mount "/" is compiled in as
 *              /usr/share/libwebsockets-test-server (its -r/--resource-path
 *              option only moves the TLS certificate paths), so it runs in a
 *              private mount namespace (`unshare -m`, or `unshare -rm` when
 *              not root) with a temp copy of that directory, our files added,
 *              bind-mounted over it. It has no dynamic handler: its /hello row
 *              serves a 12-byte static file, /hello.txt ("hello world\n").
 * and, for /hello and the 4 KiB file, two floors that parse no HTTP (they
 * find the end of each request head and write a prebuilt response):
 *   C floor    bench/peers/floor-server.c (epoll, read, write), built with
 *              gcc into bench/.build/ (gitignored); left out without gcc
 *   node:net   bench/peers/floor-node.cjs ('data' events, socket.write)
 * A floor's ratio to node:http is about the most any server could reach on
 * the machine at that connection count: the targets are read against it.
 *
 * Cases (URL on ours and node:http / on lws):
 *   hello  GET /hello (12-byte dynamic body)     / GET /hello.txt (static)
 *   4k     GET /static/4k.jpg (4 KiB random)     / GET /4k.jpg
 *   1m     GET /static/1m.jpg (1 MiB random)     / GET /1m.jpg
 * (.jpg because lws 4.1.6 answers 415 for file types it has no MIME type
 * for, .bin included; the bytes are random.)
 *
 * Usage (Linux, 2+ CPUs; other people benchmark on the dev machine, so hold
 * the lock):
 *   cd bench && flock /tmp/bench.lock node --import tsx h1.ts
 *   cd bench && flock /tmp/bench.lock npx tsx h1.ts
 * Needs wrk, libwebsockets-test-server, taskset + unshare (util-linux),
 * mount, curl, getconf, bash; names the apt packages and exits 2 if one is
 * missing.
 *
 * Environment:
 *   BENCH_SECONDS         length of each measured wrk run (default 5)
 *   BENCH_ROUNDS          measured runs per server per cell (default 3)
 *   BENCH_WARMUP_SECONDS  warm-up run per server before each case (default 2)
 *   BENCH_CONNECTIONS     comma list of wrk connection counts (default 1,10,100)
 *   BENCH_CASES           comma list out of hello,4k,1m (default all)
 *   BENCH_SERVER_CPU      CPU the servers are pinned to (default 0)
 *   BENCH_CLIENT_CPU      CPU wrk is pinned to (default 1)
 *   BENCH_FLOORS          0 leaves the two no-HTTP floors out (default 1)
 *   BENCH_PIPELINE        comma list of CONNSxDEPTH pipelined loads (default
 *                         10x16: 10 connections, 16 requests in flight on
 *                         each, wrk -s lib/pipeline.lua); empty for none.
 *                         lws C sits these out: 4.1.6 answers the second of
 *                         two pipelined GETs with 403 and closes
 * Defaults take about 3 cases x 3 loads x 3 rounds x 3 servers x 5 s, plus
 * 2 cases x 3 x 3 x 2 floors x 5 s, plus the pipelined load for 2 cases x
 * 3 rounds x 5 servers x 5 s, plus warm-ups = ~12 min.
 *
 * What is measured, and how:
 *   - Each server is started once under `taskset -c SERVER_CPU` (all its
 *     threads inherit the pinning; /proc/PID/status shows it). Each wrk run
 *     is `taskset -c CLIENT_CPU wrk -t1 -cN -dDs --timeout 5s URL`.
 *   - For every case: one warm-up wrk run per server (10 connections, JIT
 *     and caches), then for every connection count ROUNDS rounds, each round
 *     one run per server, the order rotating by one each round.
 *   - req/s: wrk's completed requests / wrk's own elapsed time.
 *   - server CPU: utime + stime (fields 14 and 15 of /proc/PID/stat, after
 *     the ")" of comm, over `getconf CLK_TCK`) of the server process and its
 *     descendants, read right before and right after the wrk run; the process
 *     line already sums all threads (node's libuv pool and V8 helpers count).
 *     req/s per server CPU-second = completed requests / that CPU time.
 *     "server CPU" = that CPU time / wrk's elapsed time, in % of one core.
 *   - wrk CPU: wrk runs as a child of `bash -c '"$@"; times'`; the second
 *     line of bash's `times` is the user + system time of the children it
 *     waited for, i.e. wrk's. Shown as % of its core; at >= 90% wrk (one
 *     thread) may be the bottleneck and the row is marked.
 *   - A run fails (and is left out of the medians and printed) on any
 *     "Non-2xx or 3xx responses" or "Socket errors" line from wrk, or when
 *     bytes read / completed requests does not match the response size curl
 *     saw. Before measuring, curl fetches every URL from every server and
 *     compares the body with the file's bytes, and checks that a second
 *     request reuses the connection (keep-alive).
 *   - Cells are medians over the ok runs; the ratios are ours/peer of those
 *     medians. Targets from the issue (per server CPU-second, vs node:http):
 *     hello >= 1.6, 4 KiB >= 4, 1 MiB >= 1.5 (for 1 MiB also marked on the
 *     plain req/s ratio, "1.5x its throughput").
 * Exit code: 0, or 1 if any measured run failed, 2 for setup errors.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, start, stopAll, type Running } from '../selftests/lib/processes.js';
import {
  accepting,
  allowedCpus,
  buildC,
  comm,
  freePort,
  listenerPids,
  missingTools,
  onlineCpus,
  parseChildTimes,
  pinned,
  procStat,
  processTree,
  treeCpuSeconds,
  withChildTimes,
} from './lib/proc.js';

const BENCH_DIR = fileURLToPath(new URL('./', import.meta.url));
const LWS_SHARE = '/usr/share/libwebsockets-test-server';

function envInt(name: string, dflt: number, min: number, max: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}=${v}: want an integer ${min}..${max}`);
  return n;
}

const SECONDS = envInt('BENCH_SECONDS', 5, 1, 120);
const ROUNDS = envInt('BENCH_ROUNDS', 3, 1, 20);
const WARMUP = envInt('BENCH_WARMUP_SECONDS', 2, 0, 60);
const SERVER_CPU = envInt('BENCH_SERVER_CPU', 0, 0, 1023);
const CLIENT_CPU = envInt('BENCH_CLIENT_CPU', 1, 0, 1023);
const CONNS = (process.env.BENCH_CONNECTIONS ?? '1,10,100')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isInteger(n) && n >= 1 && n <= 1000)
  .slice(0, 8);
const PIPELINE = (process.env.BENCH_PIPELINE ?? '10x16')
  .split(',')
  .map((s) => /^\s*(\d+)x(\d+)\s*$/.exec(s))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => ({ conns: Number(m[1]), depth: Number(m[2]) }))
  .filter((l) => l.conns >= 1 && l.conns <= 1000 && l.depth >= 2 && l.depth <= 256)
  .slice(0, 4);
/** A wrk load: connections, requests in flight on each (1: no pipelining), and its row label. */
interface Load {
  conns: number;
  depth: number;
  label: string;
}
const LOADS: Load[] = [
  ...CONNS.map((conns) => ({ conns, depth: 1, label: String(conns) })),
  ...PIPELINE.map(({ conns, depth }) => ({ conns, depth, label: `${conns} ×${depth}` })),
];
const CASE_FILTER = (process.env.BENCH_CASES ?? 'hello,4k,1m').split(',').map((s) => s.trim());
const FLOORS = envInt('BENCH_FLOORS', 1, 0, 1) === 1;
const WRK_BOUND = 0.9;
/** The line every Node peer and floor prints once it serves. */
const LISTENING = /LISTENING http:\/\/[^:]+:(\d+)\//;
const FLOOR_BIN = join(BENCH_DIR, '.build', 'floor-server');

type ServerName = 'ours' | 'node:http' | 'lws' | 'floor C' | 'floor node';
const SERVER_NAMES: ServerName[] = ['ours', 'node:http', 'lws', 'floor C', 'floor node'];
const FLOOR_NAMES: ServerName[] = ['floor C', 'floor node'];
const LABEL: Record<ServerName, string> = { ours: 'ours', 'node:http': 'node:http', lws: 'lws C 4.1.6', 'floor C': 'C floor', 'floor node': 'node:net floor' };

interface Case {
  id: string;
  title: string;
  file: string;
  bytes: Buffer;
  /** URL path per server; a server without one sits the case out */
  path: Partial<Record<ServerName, string>>;
  /** also measured under the BENCH_PIPELINE loads */
  pipelined: boolean;
  /** target for ours/node:http per server CPU-second, and whether it also applies to req/s */
  target: number;
  targetOnRate: boolean;
}

interface Server {
  name: ServerName;
  running: Running;
  pid: number;
  port: number;
}

interface WrkResult {
  ok: boolean;
  problems: string[];
  requests: number;
  seconds: number;
  rate: number;
  bytesRead: number;
  wrkCpu: number | undefined;
  output: string;
}

interface RunResult extends WrkResult {
  serverCpu: number;
}

const median = (xs: number[]): number | undefined => {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const UNIT_S: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
const UNIT_B: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** One wrk run, pinned, with its own CPU time; fails on any error line. `depth` > 1 pipelines. */
async function wrk(url: string, conns: number, seconds: number, depth = 1): Promise<WrkResult> {
  const script = depth > 1 ? ['-s', 'lib/pipeline.lua'] : [];
  const [pcmd, pargs] = pinned(CLIENT_CPU, 'wrk', ['-t1', `-c${conns}`, `-d${seconds}s`, '--timeout', '5s', ...script, url, ...(depth > 1 ? ['--', String(depth)] : [])]);
  const [cmd, args] = withChildTimes(pcmd, pargs);
  const r = await run(cmd, args, (seconds + 30) * 1000, { cwd: BENCH_DIR });
  const out = r.output;
  const problems: string[] = [];
  if (r.code !== 0) problems.push(`wrk exited ${r.code}`);
  const done = /(\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+)(B|KB|MB|GB|TB) read/.exec(out);
  const rateM = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const sockErr = /Socket errors: [^\n]*/.exec(out);
  if (non2xx) problems.push(`Non-2xx or 3xx responses: ${non2xx[1]}`);
  if (sockErr) problems.push(sockErr[0]);
  if (!done || !rateM) problems.push('no summary from wrk');
  const requests = done ? Number(done[1]) : 0;
  const secs = done ? Number(done[2]) * (UNIT_S[done[3] as string] ?? 1) : seconds;
  if (requests === 0) problems.push('no completed requests');
  return {
    ok: problems.length === 0,
    problems,
    requests,
    seconds: secs,
    rate: requests / secs,
    bytesRead: done ? Number(done[4]) * (UNIT_B[done[5] as string] ?? 1) : 0,
    wrkCpu: parseChildTimes(out),
    output: out,
  };
}

/** curl one URL: status, header bytes and body. */
function curlGet(url: string, bodyFile: string): { code: string; headerBytes: number; body: Buffer } {
  const w = execFileSync('curl', ['-s', '--max-time', '10', '-o', bodyFile, '-w', '%{http_code} %{size_header}', url], { encoding: 'utf8', timeout: 15_000 });
  const [code, hdr] = w.trim().split(' ');
  return { code: code ?? '?', headerBytes: Number(hdr), body: readFileSync(bodyFile) };
}

/** Two GETs in one curl: "1 0" when the second reused the connection. */
function curlReuse(url: string): string {
  return execFileSync('curl', ['-s', '--max-time', '10', '-o', '/dev/null', '-o', '/dev/null', '-w', '%{num_connects} ', url, url], { encoding: 'utf8', timeout: 15_000 }).trim();
}

function fmt(n: number | undefined, digits = 0): string {
  if (n === undefined || !Number.isFinite(n)) return '-';
  return digits === 0 ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits);
}

function ratioCell(a: number | undefined, b: number | undefined, target?: number): string {
  if (a === undefined || b === undefined || b === 0) return '-';
  const r = a / b;
  return target === undefined ? r.toFixed(2) : `${r.toFixed(2)} ${r >= target ? '✓' : '✗'} (≥${target})`;
}

function loadavg(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

function tryText(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { cwd: BENCH_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 }).trim();
  } catch (err) {
    const e = err as { stdout?: string };
    return (e.stdout ?? '').trim() || '?';
  }
}

/** Build the C floor unless it is there and newer than its source; false without gcc or a binary. */
function buildFloor(): boolean {
  if (missingTools({ gcc: 'gcc' }).length > 0) return existsSync(FLOOR_BIN); // one built before still serves
  buildC(FLOOR_BIN, join(BENCH_DIR, 'peers', 'floor-server.c'));
  return true;
}

/** floors: `routes` are TARGET=FILE arguments, the same for both */
async function startServers(dir: string, lwsRoot: string, routes: string[]): Promise<Server[]> {
  const out: Server[] = [];
  {
    const [cmd, args] = pinned(SERVER_CPU, process.execPath, ['--import', 'tsx', 'server.ts', '--mode', 'h1', '--port', '0', '--static-dir', dir]);
    const running = start(cmd, args, { cwd: BENCH_DIR });
    const m = await running.waitFor(LISTENING, 30_000);
    out.push({ name: 'ours', running, pid: running.pid, port: Number(m[1]) });
  }
  {
    const [cmd, args] = pinned(SERVER_CPU, process.execPath, ['peers/node-http-server.cjs', '--port', '0', '--static-dir', dir]);
    const running = start(cmd, args, { cwd: BENCH_DIR });
    const m = await running.waitFor(LISTENING, 15_000);
    out.push({ name: 'node:http', running, pid: running.pid, port: Number(m[1]) });
  }
  {
    const port = await freePort();
    // unshare and sh exec into taskset, which execs the server: one pid throughout
    const script = `mount --bind "$1" ${LWS_SHARE} && exec taskset -c ${SERVER_CPU} libwebsockets-test-server --port=${port} -i lo -d 1`;
    const unshareArgs = process.getuid?.() === 0 ? ['-m'] : ['-r', '-m'];
    const running = start('unshare', [...unshareArgs, 'sh', '-c', script, 'sh', lwsRoot], { cwd: BENCH_DIR });
    await accepting(port, 200);
    out.push({ name: 'lws', running, pid: running.pid, port });
  }
  if (FLOORS && routes.length > 0) {
    if (buildFloor()) {
      const [cmd, args] = pinned(SERVER_CPU, FLOOR_BIN, ['0', ...routes]);
      const running = start(cmd, args, { cwd: BENCH_DIR });
      const m = await running.waitFor(LISTENING, 15_000);
      out.push({ name: 'floor C', running, pid: running.pid, port: Number(m[1]) });
    } else {
      console.log('no gcc: the C floor is left out (apt-get install -y gcc)');
    }
    const [cmd, args] = pinned(SERVER_CPU, process.execPath, ['peers/floor-node.cjs', '--port', '0', ...routes]);
    const running = start(cmd, args, { cwd: BENCH_DIR });
    const m = await running.waitFor(LISTENING, 15_000);
    out.push({ name: 'floor node', running, pid: running.pid, port: Number(m[1]) });
  }
  return out;
}

async function main(): Promise<number> {
  const missing = missingTools({
    wrk: 'wrk',
    'libwebsockets-test-server': 'libwebsockets-test-server',
    taskset: 'util-linux',
    unshare: 'util-linux',
    mount: 'mount',
    curl: 'curl',
    getconf: 'libc-bin',
    bash: 'bash',
  });
  if (missing.length > 0) {
    console.error(`missing: ${missing.map((m) => m.cmd).join(', ')}\n  apt-get install -y ${[...new Set(missing.map((m) => m.pkg))].join(' ')}`);
    return 2;
  }
  const cpus = onlineCpus();
  if (Math.max(SERVER_CPU, CLIENT_CPU) >= cpus || SERVER_CPU === CLIENT_CPU) {
    console.error(`need two distinct CPUs below ${cpus} for server (BENCH_SERVER_CPU=${SERVER_CPU}) and wrk (BENCH_CLIENT_CPU=${CLIENT_CPU})`);
    return 2;
  }

  // files: one dir for ours and node:http; a copy of the lws resource dir plus the same files for lws
  const tmp = mkdtempSync(join(tmpdir(), 'bench-h1-'));
  const dir = join(tmp, 'static');
  const lwsRoot = join(tmp, 'lws');
  mkdirSync(dir);
  cpSync(LWS_SHARE, lwsRoot, { recursive: true });
  const hello = Buffer.from('hello world\n');
  const k4 = randomBytes(4096);
  const m1 = randomBytes(1024 * 1024);
  for (const [name, bytes] of [['hello.txt', hello], ['4k.jpg', k4], ['1m.jpg', m1]] as const) {
    writeFileSync(join(dir, name), bytes);
    writeFileSync(join(lwsRoot, name), bytes);
  }
  const allCases: Case[] = [
    { id: 'hello', title: 'GET /hello, 12-byte body (lws: static 12-byte /hello.txt, it has no dynamic handler)', file: 'hello.txt', bytes: hello, path: { ours: '/hello', 'node:http': '/hello', lws: '/hello.txt', 'floor C': '/hello', 'floor node': '/hello' }, pipelined: true, target: 1.6, targetOnRate: false },
    { id: '4k', title: 'GET 4 KiB static file', file: '4k.jpg', bytes: k4, path: { ours: '/static/4k.jpg', 'node:http': '/static/4k.jpg', lws: '/4k.jpg', 'floor C': '/static/4k.jpg', 'floor node': '/static/4k.jpg' }, pipelined: true, target: 4, targetOnRate: false },
    { id: '1m', title: 'GET 1 MiB static file', file: '1m.jpg', bytes: m1, path: { ours: '/static/1m.jpg', 'node:http': '/static/1m.jpg', lws: '/1m.jpg' }, pipelined: false, target: 1.5, targetOnRate: true },
  ];
  const cases = allCases.filter((c) => CASE_FILTER.includes(c.id));
  // the floors serve each case's file under its path (the same path on both)
  const floorRoutes = cases.filter((c) => c.path['floor C'] !== undefined).map((c) => `${c.path['floor C']}=${join(dir, c.file)}`);

  let servers: Server[] = [];
  const onSignal = (): void => {
    void stopAll().then(() => {
      rmSync(tmp, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let failedRuns = 0;
  try {
    servers = await startServers(dir, lwsRoot, floorRoutes);
    const url = (s: Server, c: Case): string => `http://127.0.0.1:${s.port}${c.path[s.name]}`;
    const serversOf = (c: Case): Server[] => servers.filter((s) => c.path[s.name] !== undefined);
    // lws C 4.1.6 answers the second of two pipelined GETs with 403: it sits pipelined loads out
    const serversFor = (c: Case, depth: number): Server[] => serversOf(c).filter((s) => depth === 1 || s.name !== 'lws');

    console.log('# bench/h1.ts: HTTP/1.1 servers under wrk');
    console.log('');
    console.log(`node ${process.version}, ${tryText('wrk', ['-v']).split('\n')[0]}, libwebsockets-test-server ${tryText('dpkg-query', ['-W', '-f', '${Version}', 'libwebsockets-test-server'])}`);
    console.log(`cpu: ${/model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '?'}, ${cpus} online; servers on CPU ${SERVER_CPU}, wrk on CPU ${CLIENT_CPU}; load average ${loadavg()}`);
    const dirty = tryText('git', ['status', '--porcelain', '--', '../packages', 'server.ts']).split('\n').filter((l) => l.trim() !== '' && l !== '?').length;
    console.log(`tree: ${tryText('git', ['rev-parse', '--short', 'HEAD'])}${dirty > 0 ? ` + ${dirty} uncommitted file(s) under packages/ or bench/server.ts` : ''}`);
    console.log(`wrk -t1 -cN -d${SECONDS}s, ${ROUNDS} rounds (order rotating), warm-up ${WARMUP}s per server per case; connections ${LOADS.map((l) => l.label).join(', ')} (×D: D pipelined requests per connection)`);
    console.log('');

    // which pid serves, its pinning and threads
    let setupOk = true;
    for (const s of servers) {
      const tree = processTree(s.pid);
      const listeners = listenerPids(s.port, tree);
      const st = procStat(s.pid);
      const okPid = listeners.length === 1 && listeners[0] === s.pid;
      if (!okPid) setupOk = false;
      console.log(`${LABEL[s.name]}: pid ${s.pid} (${comm(s.pid)}), ${st?.threads ?? '?'} threads, CPUs ${allowedCpus(s.pid)}, ${tree.length} process(es); listening socket held by ${listeners.join(',') || 'none'}${okPid ? '' : '  <-- NOT the measured pid'}`);
    }

    // sanity: bytes equal to the files, 2xx, keep-alive
    const respBytes = new Map<string, number>();
    const probe = join(tmp, 'probe.out');
    for (const c of cases) {
      for (const s of serversOf(c)) {
        const u = url(s, c);
        const g = curlGet(u, probe);
        const reuse = curlReuse(u);
        const same = g.body.equals(c.bytes);
        const good = g.code.startsWith('2') && same && reuse === '1 0';
        if (!good) setupOk = false;
        respBytes.set(`${c.id}/${s.name}`, g.headerBytes + g.body.length);
        console.log(`check ${LABEL[s.name]} ${c.path[s.name]}: ${g.code}, ${g.body.length} bytes ${same ? 'equal to' : 'DIFFERENT from'} ${c.file}, header ${g.headerBytes} B, connects for 2 GETs: ${reuse}${good ? '' : '  <-- FAILED'}`);
      }
    }
    if (!setupOk) {
      console.error('setup checks failed; not measuring');
      return 2;
    }
    console.log('');

    const summary: string[] = [];
    for (const c of cases) {
      console.log(`## ${c.title}`);
      console.log('');
      if (WARMUP > 0) {
        for (const s of serversOf(c)) {
          const w = await wrk(url(s, c), 10, WARMUP);
          console.log(`warm-up ${LABEL[s.name]}: ${fmt(w.rate)} req/s${w.ok ? '' : `  FAILED: ${w.problems.join('; ')}`}`);
        }
      }
      const results = new Map<string, RunResult[]>();
      const loads = LOADS.filter((l) => l.depth === 1 || c.pipelined);
      for (const { conns, depth, label } of loads) {
        for (let r = 0; r < ROUNDS; r++) {
          const order = serversFor(c, depth);
          for (let k = 0; k < r % order.length; k++) order.push(order.shift() as Server);
          for (const s of order) {
            const before = treeCpuSeconds(s.pid);
            const w = await wrk(url(s, c), conns, SECONDS, depth);
            const serverCpu = treeCpuSeconds(s.pid) - before;
            const expect = respBytes.get(`${c.id}/${s.name}`) ?? 0;
            // bytes read counts partial responses in flight at the end: up to `conns` x `depth` extra
            if (w.requests > 0 && (w.bytesRead < w.requests * expect * 0.99 || w.bytesRead > (w.requests + conns * depth) * expect * 1.01 + 1024)) {
              w.problems.push(`read ${fmt(w.bytesRead / w.requests)} B per response, expected ${expect}`);
              w.ok = false;
            }
            const res: RunResult = { ...w, serverCpu };
            const key = `${label}/${s.name}`;
            results.set(key, [...(results.get(key) ?? []), res]);
            if (!w.ok) failedRuns++;
            const wrkPct = w.wrkCpu === undefined ? '?' : `${fmt((100 * w.wrkCpu) / w.seconds)}%`;
            console.log(
              `  c=${label} round ${r + 1} ${LABEL[s.name].padEnd(11)} ${fmt(w.rate).padStart(8)} req/s, server ${serverCpu.toFixed(2)} CPU-s (${fmt((100 * serverCpu) / w.seconds)}%), ${fmt(w.requests / serverCpu).padStart(8)} req/CPU-s, wrk ${wrkPct}` +
                (w.ok ? '' : `  FAILED: ${w.problems.join('; ')}`),
            );
          }
        }
      }
      console.log('');
      console.log(`### ${c.title}`);
      console.log('');
      console.log('| conns | server | req/s | × node:http | × lws | req/s per server CPU-s | × node:http | × lws | server CPU | wrk CPU | ok runs |');
      console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
      for (const { depth, label } of loads) {
        const med = (name: ServerName) => {
          const runs = results.get(`${label}/${name}`) ?? [];
          const ok = runs.filter((x) => x.ok);
          return {
            rate: median(ok.map((x) => x.rate)),
            perCpu: median(ok.map((x) => x.requests / x.serverCpu)),
            serverPct: median(ok.map((x) => (100 * x.serverCpu) / x.seconds)),
            wrkPct: median(ok.filter((x) => x.wrkCpu !== undefined).map((x) => (100 * (x.wrkCpu as number)) / x.seconds)),
            okRuns: `${ok.length}/${runs.length}`,
          };
        };
        const m = Object.fromEntries(SERVER_NAMES.map((n) => [n, med(n)])) as Record<ServerName, ReturnType<typeof med>>;
        const present = SERVER_NAMES.filter((n) => serversFor(c, depth).some((s) => s.name === n));
        for (const n of present) {
          const x = m[n];
          // ratios for ours, and for a floor (how far above node:http a server got with no HTTP at all)
          const ours = n === 'ours' || FLOOR_NAMES.includes(n);
          // the issue's targets are read on plain loads; pipelined rows are shown without
          const target = n === 'ours' && depth === 1 ? c.target : undefined;
          const wrkCell = x.wrkPct === undefined ? '-' : `${fmt(x.wrkPct)}%${x.wrkPct >= WRK_BOUND * 100 ? ' ⚠ wrk-bound' : ''}`;
          console.log(
            `| ${label} | ${LABEL[n]} | ${fmt(x.rate)} | ${ours ? ratioCell(x.rate, m['node:http'].rate, c.targetOnRate ? target : undefined) : ''} | ${ours ? ratioCell(x.rate, m.lws.rate) : ''} | ${fmt(x.perCpu)} | ${ours ? ratioCell(x.perCpu, m['node:http'].perCpu, target) : ''} | ${ours ? ratioCell(x.perCpu, m.lws.perCpu) : ''} | ${fmt(x.serverPct)}% | ${wrkCell} | ${x.okRuns} |`,
          );
        }
        const floors = present
          .filter((n) => FLOOR_NAMES.includes(n))
          .map((n) => `${LABEL[n]} ${ratioCell(m[n].perCpu, m['node:http'].perCpu)}`)
          .join(', ');
        summary.push(
          `${c.id} c=${label}: ours/node:http per CPU-s ${ratioCell(m.ours.perCpu, m['node:http'].perCpu, depth === 1 ? c.target : undefined)}${c.targetOnRate ? `, req/s ${ratioCell(m.ours.rate, m['node:http'].rate, c.target)}` : ''}` +
            (floors ? ` (no-HTTP floors/node:http: ${floors})` : ''),
        );
      }
      console.log('');
      console.log('Medians of the ok runs; × = ours / peer (for a floor: floor / peer). Targets (issue): per server CPU-second vs node:http. server CPU and wrk CPU are % of one core.');
      console.log('');
    }
    console.log('## Targets');
    console.log('');
    for (const line of summary) console.log(`- ${line}`);
    console.log('');
    console.log(`load average at the end: ${loadavg()}; failed runs: ${failedRuns}`);
    return failedRuns > 0 ? 1 : 0;
  } finally {
    await stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }
}

process.exitCode = await main();
