/*
 * H1ResponseFramer: heads without handler headers come from a cache keyed
 * by the vhost and mount header lists; each distinct head must still be
 * exact, and a small final body leaves in one write with its head.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stableHeaders, type HeaderList, type HttpResponseHead } from '../../../src/http/response.js';
import type { Transport } from '../../../src/net/transport.js';
import { H1ResponseFramer, type FramerInit } from '../../../src/roles/h1/response-framer.js';

function sink(): { t: Transport; writes: Buffer[] } {
  const writes: Buffer[] = [];
  const t = { write: (b: Uint8Array) => (writes.push(Buffer.from(b)), true) } as unknown as Transport;
  return { t, writes };
}

const VHOST_A: HeaderList = [['x-vhost', 'a']];
const VHOST_B: HeaderList = [['x-vhost', 'b']];
const MOUNT: HeaderList = [['x-mount', 'm'], ['content-type', 'ignored/because-set']];

function respond(head: HttpResponseHead, body: string, over: Partial<FramerInit> = {}): { writes: Buffer[]; text: string } {
  const f = new H1ResponseFramer({ head, requestMethod: 'GET', requestVersion: '1.1', keepAlive: true, mountHeaders: undefined, vhostHeaders: VHOST_A, ...over });
  const { t, writes } = sink();
  expect(f.write(t, Buffer.from(body), true)).toBe('ok');
  return { writes, text: Buffer.concat(writes).toString('latin1') };
}

describe('H1ResponseFramer head cache', () => {
  it('sends a small complete response in one write', () => {
    const r = respond({ status: 200, contentType: 'text/plain', contentLength: 2 }, 'hi');
    expect(r.writes.length).toBe(1);
    const date = /\r\ndate: ([^\r]*)\r\n/.exec(r.text)?.[1] ?? '';
    expect(r.text).toBe(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-vhost: a\r\ndate: ${date}\r\ncontent-length: 2\r\n\r\nhi`);
  });

  it('keeps heads apart by status, length, type, version, keep-alive, vhost and mount headers', () => {
    const base: HttpResponseHead = { status: 200, contentType: 'text/plain', contentLength: 3 };
    const seen = new Set<string>();
    const cases: [HttpResponseHead, Partial<FramerInit>, string[]][] = [
      [base, {}, ['HTTP/1.1 200 OK', 'content-length: 3', 'x-vhost: a']],
      [{ ...base, status: 201 }, {}, ['HTTP/1.1 201 Created']],
      [{ ...base, contentType: 'text/html' }, {}, ['content-type: text/html']],
      [base, { keepAlive: false }, ['connection: close']],
      [base, { requestVersion: '1.0' }, ['HTTP/1.0 200 OK', 'connection: keep-alive']],
      [base, { vhostHeaders: VHOST_B }, ['x-vhost: b']],
      [base, { mountHeaders: MOUNT }, ['x-mount: m', 'x-vhost: a', 'content-type: text/plain']],
    ];
    for (let round = 0; round < 2; round++) {
      for (const [head, over, want] of cases) {
        const { text } = respond(head, 'abc', over);
        for (const w of want) expect(text).toContain(`${w}\r\n`);
        expect(text.match(/content-type:/g)?.length).toBe(1);
        seen.add(text.replace(/\r\ndate: [^\r]*/, '')); // a second may turn between rounds
      }
    }
    expect(seen.size).toBe(cases.length); // the second round served the same heads from the cache
  });

  it('still refuses a body that does not match its length, and frames one without a length by the version', () => {
    const f = new H1ResponseFramer({ head: { status: 200, contentLength: 5 }, requestMethod: 'GET', requestVersion: '1.1', keepAlive: true, mountHeaders: undefined, vhostHeaders: VHOST_A });
    expect(f.write(sink().t, Buffer.from('abc'), true)).toBe('short');
    const g = new H1ResponseFramer({ head: { status: 200, contentLength: 2 }, requestMethod: 'GET', requestVersion: '1.1', keepAlive: true, mountHeaders: undefined, vhostHeaders: VHOST_A });
    expect(g.write(sink().t, Buffer.from('abc'), true)).toBe('overrun');
    expect(respond({ status: 200 }, 'abc').text).toMatch(/transfer-encoding: chunked\r\n[\s\S]*\r\n\r\n3\r\nabc\r\n0\r\n\r\n$/);
    const old = respond({ status: 200 }, 'abc', { requestVersion: '1.0' }).text;
    expect(old).toContain('connection: close\r\n');
    expect(old.endsWith('\r\n\r\nabc')).toBe(true);
  });

  it('sends a final body too big for the Buffer pool by reference after its head, corked into one send', () => {
    const body = Buffer.alloc(Buffer.poolSize, 0x62); // head + body > poolSize / 2: would be a fresh ArrayBuffer
    const events: (string | Buffer)[] = [];
    const t = {
      cork: () => events.push('cork'),
      uncork: () => events.push('uncork'),
      write: (b: Uint8Array) => (events.push(b as Buffer), true),
    } as unknown as Transport;
    const f = new H1ResponseFramer({ head: { status: 200, contentLength: body.length }, requestMethod: 'GET', requestVersion: '1.1', keepAlive: true, mountHeaders: undefined, vhostHeaders: VHOST_A });
    expect(f.write(t, body, true)).toBe('ok');
    expect(events.length).toBe(4);
    expect(events[0]).toBe('cork');
    const headText = Buffer.from(events[1] as Buffer).toString('latin1');
    expect(headText.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(headText).toContain(`\r\ncontent-length: ${body.length}\r\n`);
    expect(headText.endsWith('\r\n\r\n')).toBe(true);
    expect(events[2]).toBe(body); // not copied
    expect(events[3]).toBe('uncork');
    // a small one is still joined: one write, head and body together
    const small = respond({ status: 200, contentLength: 3 }, 'abc');
    expect(small.writes.length).toBe(1);
    expect(small.text.endsWith('\r\n\r\nabc')).toBe(true);
  });

  it('never caches heads with handler headers', () => {
    const a = respond({ status: 200, contentLength: 1, headers: [['etag', '"1"']] }, 'x').text;
    const b = respond({ status: 200, contentLength: 1, headers: [['etag', '"2"']] }, 'x').text;
    expect(a).toContain('etag: "1"\r\n');
    expect(b).toContain('etag: "2"\r\n');
  });

  it('reuses the head made with a stableHeaders() list while the rest of the head repeats', () => {
    const list = stableHeaders([['etag', '"s1"'], ['cache-control', 'no-cache']]);
    const head: HttpResponseHead = { status: 200, contentType: 'text/plain', contentLength: 1, headers: list };
    const first = respond(head, 'x').text;
    expect(first).toContain('etag: "s1"\r\ncache-control: no-cache\r\n');
    // the same text, by identity: served from the list's cache, not serialized again
    const heads: string[] = [];
    for (let i = 0; i < 2; i++) {
      const f = new H1ResponseFramer({ head, requestMethod: 'GET', requestVersion: '1.1', keepAlive: true, mountHeaders: undefined, vhostHeaders: VHOST_A });
      const { t, writes } = sink();
      f.flushHead(t);
      heads.push(writes[0]!.toString('latin1'));
    }
    expect(heads[1]).toBe(heads[0]);
    // anything else that differs makes its own head
    const cases: [HttpResponseHead, Partial<FramerInit>, string][] = [
      [{ ...head, status: 404 }, {}, 'HTTP/1.1 404 Not Found'],
      [{ ...head, status: 304, contentLength: 0 }, {}, 'HTTP/1.1 304 Not Modified'],
      [{ ...head, contentLength: 2 }, {}, 'content-length: 2'],
      [{ ...head, contentType: 'text/html' }, {}, 'content-type: text/html'],
      [head, { keepAlive: false }, 'connection: close'],
      [head, { vhostHeaders: VHOST_B }, 'x-vhost: b'],
      [head, { mountHeaders: MOUNT }, 'x-mount: m'],
      [head, {}, 'x-vhost: a'],
    ];
    for (const [h, over, want] of cases) {
      const f = new H1ResponseFramer({ head: h, requestMethod: 'GET', requestVersion: '1.1', keepAlive: true, mountHeaders: undefined, vhostHeaders: VHOST_A, ...over });
      const { t, writes } = sink();
      f.flushHead(t);
      const text = writes[0]!.toString('latin1');
      expect(text).toContain(`${want}\r\n`);
      expect(text).toContain('etag: "s1"\r\n');
    }
    // frozen: changing it afterwards throws rather than going out stale
    expect(() => (list as [string, string][]).push(['x', 'y'])).toThrow(TypeError);
    expect(() => ((list[0] as [string, string])[1] = '"s2"')).toThrow(TypeError);
  });
});

const DATE_RE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/;

function dates(text: string): string[] {
  return [...text.matchAll(/\r\ndate: ([^\r]*)/gi)].map((m) => m[1] as string);
}

describe('H1ResponseFramer Date (RFC 9110 §6.6.1)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('dates every final response, cached head or not, and no interim one', () => {
    for (const head of [{ status: 200, contentLength: 1 }, { status: 404, contentLength: 1 }, { status: 503, contentLength: 1 }, { status: 200, contentLength: 1, headers: [['x-a', 'b']] as HeaderList }]) {
      const d = dates(respond(head, 'x').text);
      expect(d.length).toBe(1);
      expect(d[0]).toMatch(DATE_RE);
      expect(Math.abs(Date.parse(d[0] as string) - Date.now())).toBeLessThan(5000);
    }
    const f = new H1ResponseFramer({ head: { status: 103, headers: [['link', '</a.css>; rel=preload']] }, requestMethod: 'GET', requestVersion: '1.1', keepAlive: true, mountHeaders: undefined, vhostHeaders: VHOST_A });
    const { t, writes } = sink();
    f.flushHead(t);
    expect(dates(Buffer.concat(writes).toString('latin1'))).toEqual([]);
  });

  it('keeps a Date the handler or the configuration set, and sends only that one', () => {
    const own = respond({ status: 200, contentLength: 1, headers: [['Date', 'Sun, 06 Nov 1994 08:49:37 GMT']] }, 'x').text;
    expect(dates(own)).toEqual(['Sun, 06 Nov 1994 08:49:37 GMT']);
    const fixed: HeaderList = [['date', 'Sun, 06 Nov 1994 08:49:37 GMT']];
    expect(dates(respond({ status: 200, contentLength: 1 }, 'x', { vhostHeaders: fixed }).text)).toEqual(['Sun, 06 Nov 1994 08:49:37 GMT']);
  });

  it('moves with the clock: cached heads are rebuilt when the second changes', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout'] });
    vi.setSystemTime(Date.UTC(2030, 0, 2, 3, 4, 5, 900));
    vi.resetModules(); // a fresh date cache, whose expiry timer is a fake one
    const fresh = await import('../../../src/roles/h1/response-framer.js');
    const send = (): string => {
      const f = new fresh.H1ResponseFramer({ head: { status: 200, contentType: 'text/plain', contentLength: 1 }, requestMethod: 'GET', requestVersion: '1.1', keepAlive: true, mountHeaders: undefined, vhostHeaders: VHOST_A });
      const { t, writes } = sink();
      f.write(t, Buffer.from('x'), true);
      return dates(Buffer.concat(writes).toString('latin1'))[0] as string;
    };
    expect(send()).toBe('Wed, 02 Jan 2030 03:04:05 GMT');
    vi.advanceTimersByTime(99);
    expect(send()).toBe('Wed, 02 Jan 2030 03:04:05 GMT'); // the same second: the cached head
    vi.advanceTimersByTime(1);
    expect(send()).toBe('Wed, 02 Jan 2030 03:04:06 GMT');
    vi.advanceTimersByTime(60_000);
    expect(send()).toBe('Wed, 02 Jan 2030 03:05:06 GMT');
  });
});
