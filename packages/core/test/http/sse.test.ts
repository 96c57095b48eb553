/*
 * SSE: event and comment formatting, a real event stream over h1 (chunked,
 * the right headers, one event per writeable), and SseBroadcaster over
 * LwsRing: bounded memory, slow clients dropping the oldest events (and
 * being told) or flow-controlling the writer under 'wait'.
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context/context.js';
import { defineProtocol } from '../../src/context/protocol.js';
import type { Wsi } from '../../src/context/wsi.js';
import { formatSseComment, formatSseEvent, startSse } from '../../src/http/sse.js';
import { SseBroadcaster } from '../../src/http/sse-ring.js';

describe('formatSseEvent', () => {
  it('writes id, event, retry and one data line per line of data', () => {
    expect(formatSseEvent({ id: '7', event: 'tick', retry: 1500, data: 'a\r\nb\rc\nd' }).toString()).toBe('id: 7\nevent: tick\nretry: 1500\ndata: a\ndata: b\ndata: c\ndata: d\n\n');
    expect(formatSseEvent({ data: '' }).toString()).toBe('data: \n\n');
  });

  it('refuses line breaks in id and event, a bad retry, and an empty event', () => {
    expect(() => formatSseEvent({ id: 'a\nb' })).toThrow('Cannot format SSE event: id "a\\nb" contains a line break');
    expect(() => formatSseEvent({ event: 'x\r' })).toThrow(TypeError);
    expect(() => formatSseEvent({ retry: -1 })).toThrow('Cannot format SSE event: retry is -1, expected a non-negative integer');
    expect(() => formatSseEvent({})).toThrow('Cannot format SSE event: it has no id, event, retry or data');
  });

  it('formats comments, one per line', () => {
    expect(formatSseComment('keepalive').toString()).toBe(': keepalive\n\n');
    expect(formatSseComment('a\nb').toString()).toBe(': a\n: b\n\n');
    expect(formatSseComment().toString()).toBe(':\n\n');
  });
});

describe('startSse over h1', () => {
  let context: Context | undefined;
  let sock: Socket | undefined;
  afterEach(async () => {
    sock?.destroy();
    await context?.destroy();
    context = undefined;
  });

  it('answers 200 text/event-stream, no-store, chunked, and sends one event per writeable', async () => {
    const sse = defineProtocol<{ n: number }>({
      name: 'sse',
      newPss: () => ({ n: 0 }),
      http(wsi) {
        startSse(wsi);
        wsi.callbackOnWritable();
      },
      httpWriteable(wsi, pss) {
        pss.n++;
        wsi.write(formatSseEvent({ data: `n ${pss.n}` }), pss.n === 3 ? 'http-final' : 'http');
        if (pss.n < 3) wsi.callbackOnWritable();
      },
    });
    context = await createContext({ port: 0, protocols: [sse], mounts: [{ kind: 'callback', mountpoint: '/sse', protocol: 'sse' }] });
    sock = connect(context.port, '127.0.0.1');
    await once(sock, 'connect');
    sock.write('GET /sse HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n');
    let text = '';
    sock.on('data', (b: Buffer) => (text += b.toString('latin1')));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no end of stream: ${text}`)), 5000);
      sock?.on('data', () => text.endsWith('0\r\n\r\n') && (clearTimeout(t), resolve()));
    });
    const head = text.split('\r\n\r\n', 1)[0] as string;
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toContain('content-type: text/event-stream; charset=utf-8');
    expect(head).toContain('cache-control: no-store');
    expect(head).toContain('transfer-encoding: chunked');
    expect(head).not.toContain('content-length');
    expect(text.slice(head.length + 4)).toBe('b\r\ndata: n 1\n\n\r\nb\r\ndata: n 2\n\n\r\nb\r\ndata: n 3\n\n\r\n0\r\n\r\n');
  });
});

/** A stand-in wsi: records writes and writeable requests. */
function fakeWsi(): { wsi: Wsi; out: string[]; asks: number } {
  const rec = { out: [] as string[], asks: 0, wsi: undefined as unknown as Wsi };
  rec.wsi = {
    write: (d: Uint8Array) => void rec.out.push(Buffer.from(d).toString()),
    callbackOnWritable: () => void rec.asks++,
  } as unknown as Wsi;
  return rec;
}

describe('SseBroadcaster', () => {
  it('sends each published event to every client, with sequence ids', () => {
    const bc = new SseBroadcaster({ capacity: 4 });
    const a = fakeWsi();
    const b = fakeWsi();
    bc.addClient(a.wsi);
    bc.addClient(b.wsi);
    expect(bc.publish({ data: 'one' })).toBe(true);
    expect(a.asks).toBe(1);
    bc.writeable(a.wsi);
    expect(a.out).toEqual(['id: 1\ndata: one\n\n']);
    expect(bc.held).toBe(1); // b has not read it yet
    bc.publish({ data: 'two' });
    bc.writeable(b.wsi); // b catches up in one write
    expect(b.out).toEqual(['id: 1\ndata: one\n\nid: 2\ndata: two\n\n']);
    bc.writeable(a.wsi);
    expect(a.out[1]).toBe('id: 2\ndata: two\n\n');
    expect(bc.held).toBe(0);
  });

  it('keeps memory at capacity: a slow client loses the oldest events and is told', () => {
    const bc = new SseBroadcaster({ capacity: 3 });
    const slow = fakeWsi();
    const fast = fakeWsi();
    bc.addClient(slow.wsi);
    bc.addClient(fast.wsi);
    for (let i = 1; i <= 10; i++) {
      expect(bc.publish({ data: `e${i}` })).toBe(true);
      bc.writeable(fast.wsi);
      expect(bc.held).toBeLessThanOrEqual(3);
    }
    expect(fast.out).toHaveLength(10);
    bc.writeable(slow.wsi);
    expect(slow.out).toEqual([': dropped 7\n\nid: 8\ndata: e8\n\nid: 9\ndata: e9\n\nid: 10\ndata: e10\n\n']);
  });

  it("flow-controls the writer under 'wait': publish fails while the slowest client is full", () => {
    const bc = new SseBroadcaster({ capacity: 2, policy: 'wait' });
    const c = fakeWsi();
    bc.addClient(c.wsi);
    expect(bc.publish({ data: '1' })).toBe(true);
    expect(bc.publish({ data: '2' })).toBe(true);
    expect(bc.publish({ data: '3' })).toBe(false);
    bc.writeable(c.wsi);
    expect(bc.publish({ data: '3' })).toBe(true);
    expect(bc.published).toBe(3);
  });

  it('splits a backlog over writeables at maxWriteBytes and asks for more', () => {
    const bc = new SseBroadcaster({ capacity: 8, maxWriteBytes: 40 });
    const c = fakeWsi();
    bc.addClient(c.wsi);
    for (let i = 0; i < 4; i++) bc.publish({ data: 'x'.repeat(10) }); // 25 bytes each
    const before = c.asks;
    bc.writeable(c.wsi);
    expect(c.out).toHaveLength(1);
    expect(c.asks).toBe(before + 1);
    bc.writeable(c.wsi);
    bc.writeable(c.wsi);
    bc.writeable(c.wsi);
    expect(c.out.join('').match(/data: /g)).toHaveLength(4);
  });

  it('refuses an event over maxEventBytes, and releases a removed client', () => {
    const bc = new SseBroadcaster({ capacity: 2, maxEventBytes: 20 });
    expect(() => bc.publish({ data: 'y'.repeat(20) })).toThrow('Cannot publish SSE event: it is 34 bytes, limit is 20');
    const c = fakeWsi();
    bc.addClient(c.wsi);
    bc.publish({ data: 'z' });
    expect(bc.held).toBe(1);
    bc.removeClient(c.wsi);
    expect(bc.held).toBe(0);
    expect(bc.clientCount).toBe(0);
  });
});
