/*
 * A slow consumer against a server that sends continuously
 * (minimal-ws-server-threads, two threads producing 16 KiB messages every
 * millisecond): one raw client completes the handshake and then never reads
 * again, another keeps reading. For 5 s the server's RSS (VmRSS of the
 * child) must stay within a stated margin of its baseline, the reading
 * client must keep receiving, and when the stalled client goes the server
 * must report the messages it dropped for it (its ring is drop-oldest and
 * it writes only when the socket drained: nothing queues behind a client).
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerExample } from '../lib/examples.js';
import { stopAll } from '../lib/processes.js';

afterAll(async () => {
  await stopAll();
});

const MSG_SIZE = 16384;
const WINDOW_MS = 5000;
const SAMPLE_MS = 250;
/** RSS may rise this much over the baseline; queuing what the stalled client misses would add ~29 MB/s (what the reader gets here). */
const MARGIN_KB = 32 * 1024;

function rssKb(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB$/m);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

/** A raw ws client: completes the handshake, then hands back the socket and the bytes after the 101 head. */
async function handshake(port: number): Promise<Socket> {
  const sock = connect(port, '127.0.0.1');
  sock.write(
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: lws-minimal\r\n\r\n',
  );
  let head = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no 101 within 10 s: ${head}`)), 10_000);
    const onData = (b: Buffer): void => {
      head += b.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      clearTimeout(timer);
      sock.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101')) reject(new Error(`handshake refused: ${head}`));
      else resolve();
    };
    sock.on('data', onData);
    sock.once('error', reject);
  });
  return sock;
}

describe('a ws client that stops reading', () => {
  it('leaves the server\'s memory flat while it keeps serving a reading client, and its missed messages are dropped', async () => {
    const server = await startServerExample('ws-server/minimal-ws-server-threads', ['--interval', '1', '--size', String(MSG_SIZE)]);
    const port = Number(new URL(server.url).port);
    const stalled = await handshake(port);
    stalled.pause(); // from now on nothing is read: the kernel buffers fill, then the server's socket
    const reader = await handshake(port);
    let readBytes = 0;
    reader.on('data', (b: Buffer) => void (readBytes += b.length));

    await sleep(1000); // warm-up: both clients connected, buffers full, JIT and GC settled
    const baseline = rssKb(server.running.pid);
    const readAtStart = readBytes;
    const samples: number[] = [];
    for (let t = 0; t < WINDOW_MS; t += SAMPLE_MS) {
      await sleep(SAMPLE_MS);
      samples.push(rssKb(server.running.pid));
    }
    const read = readBytes - readAtStart;
    const peak = Math.max(...samples);
    console.info(`slow consumer: baseline ${baseline} kB, peak ${peak} kB (+${peak - baseline} kB), reader got ${(read / 1e6).toFixed(1)} MB in ${WINDOW_MS} ms`);

    expect(peak - baseline).toBeLessThan(MARGIN_KB);
    // the reading client kept receiving at least 2 MB/s: the stalled one holds up neither threads nor ring
    expect(read).toBeGreaterThan((2e6 * WINDOW_MS) / 1000);

    stalled.destroy();
    const dropped = await server.running.waitFor(/NOTICE: wsi \d+: closed, (\d+) messages dropped while it lagged/, 10_000);
    expect(Number(dropped[1])).toBeGreaterThan(100);
    reader.destroy();
    await server.running.stop();
  });
});
