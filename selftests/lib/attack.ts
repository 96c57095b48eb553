/*
 * The attack suite's table runner (lws attack.sh, request-smuggling research):
 * each case sends raw bytes on a fresh connection, checks the exact status of
 * every response line (or a closed connection with no answer), and then that
 * the server still serves a known file byte for byte on a new connection.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import { exampleDir } from './examples.js';
import { rawExchange } from './raw-http.js';

/** One malicious or odd request. */
export interface AttackCase {
  name: string;
  /** Bytes to send (pieces are concatenated). */
  send: string | Buffer;
  /**
   * The status of each response, in order: `[400]` means exactly one 400
   * (no smuggled second answer); `[]` means the server closed without answering.
   */
  expect: readonly number[];
  /** The server must close the connection (default true: a bad request ends it). */
  closes?: boolean;
  /** Milliseconds to wait for the server; default 4000. */
  ms?: number;
  /** The first request is HEAD: its response has no body. */
  head?: boolean;
  /** Text the responses must not contain (leaked files). */
  notContains?: string;
}

/**
 * The status of every response in `bytes`, in order, walking the framing
 * (content-length, chunked, no body for 1xx/204/304 and a first HEAD) so a body that
 * happens to contain "HTTP/1.1 200" is not counted.
 */
export function statuses(bytes: Buffer, headFirst = false): number[] {
  const out: number[] = [];
  let at = 0;
  while (at < bytes.length) {
    const end = bytes.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const head = bytes.subarray(at, end).toString('latin1');
    const m = /^HTTP\/1\.[01] (\d{3}) /.exec(head);
    if (!m) break;
    const status = Number(m[1]);
    out.push(status);
    at = end + 4;
    if (status < 200 || status === 204 || status === 304 || (headFirst && out.length === 1)) continue;
    const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (cl) at += Number(cl[1]);
    else if (/\r\ntransfer-encoding: *chunked/i.test(head)) at = skipChunked(bytes, at);
    else break;
  }
  return out;
}

function skipChunked(bytes: Buffer, at: number): number {
  for (;;) {
    const eol = bytes.indexOf('\r\n', at);
    if (eol < 0) return bytes.length;
    const size = parseInt(bytes.subarray(at, eol).toString('latin1'), 16);
    at = eol + 2;
    if (!(size > 0)) {
      const end = bytes.indexOf('\r\n\r\n', at - 2);
      return end < 0 ? bytes.length : end + 4;
    }
    at += size + 2;
  }
}

/** A request: start line, header lines, body. */
export function req(line: string, headers: readonly string[], body = ''): string {
  return `${line}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`;
}

/** index.html of minimal-http-server, the file every case checks afterwards. */
export const INDEX = readFileSync(join(exampleDir('http-server/minimal-http-server'), 'mount-origin', 'index.html'));

/** GET /index.html on a new connection; the body must match byte for byte. */
export async function expectStillServes(port: number): Promise<void> {
  const r = await rawExchange(port, req('GET /index.html HTTP/1.1', ['Host: localhost', 'Connection: close']), { ms: 4000 });
  const text = r.response.toString('latin1');
  const split = r.response.indexOf('\r\n\r\n');
  expect(text.slice(0, 15)).toBe('HTTP/1.1 200 OK');
  expect(r.response.subarray(split + 4).equals(INDEX)).toBe(true);
}

/** Run one case: exact statuses, closure, and the server still serving afterwards. */
export async function runAttack(port: number, c: AttackCase): Promise<void> {
  const r = await rawExchange(port, c.send, { ms: c.ms ?? 4000 });
  const text = r.response.toString('latin1');
  expect(statuses(r.response, c.head), `response was: ${JSON.stringify(text.slice(0, 300))}`).toEqual([...c.expect]);
  if (c.notContains !== undefined) expect(text).not.toContain(c.notContains);
  if (c.closes ?? true) expect(r.closedByServer, 'server must close the connection').toBe(true);
  await expectStillServes(port);
}

/**
 * Open `n` connections that each send `prefix` then one byte every
 * `everyMs` ms; resolves with the ms each took to be closed by the server
 * (or `giveUpMs` when it never was).
 */
export function dribble(port: number, n: number, prefix: string, everyMs: number, giveUpMs: number): Promise<number[]> {
  const one = (): Promise<number> =>
    new Promise((resolve) => {
      const t0 = Date.now();
      const s = connect(port, '127.0.0.1', () => s.write(prefix));
      const tick = setInterval(() => s.writable && s.write('X'), everyMs);
      const stop = setTimeout(() => s.destroy(), giveUpMs);
      s.on('data', () => {});
      s.on('error', () => {});
      s.on('close', () => {
        clearInterval(tick);
        clearTimeout(stop);
        resolve(Date.now() - t0);
      });
    });
  return Promise.all(Array.from({ length: n }, one));
}
