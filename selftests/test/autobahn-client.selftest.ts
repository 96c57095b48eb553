/*
 * Autobahn-grade conformance of our ws client: minimal-ws-client-echo
 * against our independent fuzzing server, one `it` per case. Every frame
 * the client sends must be masked, RSV1 only on compressed first frames;
 * its close code, pongs, exit status and `Completed: OK|failed` are asserted.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { clientCases, type ClientCase } from '../autobahn/cases-client.js';
import { clientPmdCases, legalFor } from '../autobahn/cases-client-pmd.js';
import { Op, type Frame } from '../autobahn/frame.js';
import { startFuzzServer, type FuzzConn, type FuzzServer } from '../autobahn/server.js';
import { runClientExample } from '../lib/examples.js';
import { stopAll } from '../lib/processes.js';

let server: FuzzServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(async () => {
  await stopAll();
});

function badFrames(conn: FuzzConn): string[] {
  const rsvOk = (f: Frame): boolean => f.rsv === 0 || (conn.agreed !== undefined && f.rsv === 4 && (f.opcode === Op.Text || f.opcode === Op.Binary));
  return conn.frames.filter((f) => !f.masked || !rsvOk(f)).map((f) => `op ${f.opcode} masked ${f.masked} rsv ${f.rsv}`);
}

async function check(c: ClientCase): Promise<void> {
  server = await startFuzzServer(c.script());
  const r = await runClientExample('ws-client/minimal-ws-client-echo', ['--url', server.url, '--count', String(c.count), ...(c.args ?? [])], 20_000);
  const conn = await server.ended(5000);
  if (c.agree) expect(legalFor(conn.offer, c.agree), `our response to the client's offer "${conn.offer}"`).toBeNull();
  expect(badFrames(conn), 'client frames must be masked, RSV1 only on compressed first frames').toEqual([]);
  expect(r.code, `exit status; output:\n${r.output}`).toBe(c.ok ? 0 : 1);
  expect(r.output).toContain(c.ok ? 'Completed: OK' : 'Completed: failed');
  if (c.handshakeFails) {
    expect(conn.frames.map((f) => f.opcode), 'frames after a refused handshake').toEqual([]);
    return;
  }
  expect(conn.clientClose, `a close frame from the client; output:\n${r.output}`).toBeDefined();
  expect(c.close, `client close code ${conn.clientClose?.code}`).toContain(conn.clientClose?.code ?? null);
  const pongs = conn.frames.filter((f) => f.opcode === Op.Pong).map((f) => f.payload.toString('hex'));
  expect(pongs, 'pongs from the client').toEqual(c.pongs ?? []);
  if (c.ok) expect(conn.messages.length, 'messages the client sent').toBe(c.count);
  if (c.ok && c.agree) expect(conn.messages.some((m) => m.rsv === 4), 'the client compressed some message').toBe(true);
}

describe('autobahn client side: minimal-ws-client-echo against the fuzzing server', () => {
  for (const c of clientCases()) it(`${c.id} ${c.title}`, () => check(c));
});

describe('autobahn client side, permessage-deflate', () => {
  for (const c of clientPmdCases()) it(`${c.id} ${c.title}`, () => check(c));
});
