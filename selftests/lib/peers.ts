/*
 * Independent peers driven by selftests: curl and Node's own fetch, each
 * run as a child process with a bounded time, results parsed into the same
 * shape so tests can assert on status, headers and exact body bytes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './processes.js';

export interface PeerResponse {
  status: number;
  /** Lowercase names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  body: Buffer;
  /** What the peer reports of the protocol version, e.g. `1.1`. */
  httpVersion?: string;
}

function parseCurlHeaders(text: string): { status: number; headers: Record<string, string> } {
  // with redirects or 100-continue several blocks may appear: take the last
  const blocks = text.trim().split(/\r?\n\r?\n/);
  const last = (blocks[blocks.length - 1] ?? '').split(/\r?\n/);
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(last[0] ?? '')?.[1] ?? NaN);
  const headers: Record<string, string> = {};
  for (const line of last.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const k = line.slice(0, i).trim().toLowerCase();
    const v = line.slice(i + 1).trim();
    headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
  }
  return { status, headers };
}

/** Fetch with curl. `extra` adds curl options (e.g. `['--cacert', cert]`, `['-I']`). */
export async function curl(url: string, extra: string[] = []): Promise<PeerResponse> {
  const dir = mkdtempSync(join(tmpdir(), 'lws-curl-'));
  try {
    const h = join(dir, 'h');
    const b = join(dir, 'b');
    const r = await run('curl', ['-sS', '--max-time', '10', '-D', h, '-o', b, '-w', '%{http_version}', ...extra, url], 15_000);
    if (r.code !== 0) throw new Error(`curl ${url} exited ${r.code}: ${r.output}`);
    const { status, headers } = parseCurlHeaders(readFileSync(h, 'latin1'));
    let body: Buffer;
    try {
      body = readFileSync(b);
    } catch {
      body = Buffer.alloc(0);
    }
    return { status, headers, body, httpVersion: r.output.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FETCH_PEER = fileURLToPath(new URL('../peers/node-fetch.mjs', import.meta.url));

/** Fetch with Node's fetch in a child process; `caFile` trusts a test certificate. */
export async function nodeFetch(url: string, opts: { method?: string; caFile?: string } = {}): Promise<PeerResponse> {
  const env: NodeJS.ProcessEnv = opts.caFile ? { NODE_EXTRA_CA_CERTS: opts.caFile } : {};
  const r = await run(process.execPath, [FETCH_PEER, url, opts.method ?? 'GET'], 15_000, { env });
  const line = r.output.trim().split('\n').pop() ?? '';
  const j = JSON.parse(line) as { status: number; headers: Record<string, string>; body: string; error?: string };
  if (j.error) throw new Error(`fetch ${url} failed: ${j.error}`);
  return { status: j.status, headers: j.headers, body: Buffer.from(j.body, 'base64') };
}
