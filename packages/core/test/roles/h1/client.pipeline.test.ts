/*
 * Keep-alive reuse and pipelining (lws LCCSCF_PIPELINE): requests to one
 * host share connections within the per-host limit, GETs are pipelined,
 * bodies wait their turn, and a bounded queue refuses the overflow.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Context } from '../../../src/context/context.js';
import { setLogLevel } from '../../../src/context/log.js';
import type { Wsi } from '../../../src/context/wsi.js';
import { clientContext, drained, recorder, scriptedServer, to, until, type Scripted } from './client-helpers.js';

setLogLevel(0);

let context: Context | undefined;
let server: Scripted | undefined;

afterEach(async () => {
  await context?.destroy();
  context = undefined;
  server?.server.close();
  server = undefined;
});

const reply = (sock: Socket, text: string, more = ''): void => void sock.write(`HTTP/1.1 200 OK\r\ncontent-length: ${text.length}\r\n${more}\r\n${text}`);
const pathOf = (head: string): string => head.split(' ')[1] as string;

describe('h1 client pipelining', () => {
  it('pipelines three GETs on one connection: the server has all three heads before it answers', async () => {
    const waiting: [Socket, string][] = [];
    server = await scriptedServer((sock, head) => {
      waiting.push([sock, head]);
      if (waiting.length === 3) for (const [s, h] of waiting) reply(s, `answer ${pathOf(h)}`);
    });
    const rec = recorder();
    context = await clientContext([rec.protocol]);
    const wsis: Wsi[] = ['/a', '/b', '/c'].map((path) => (context as Context).clientConnect(to(server?.port as number, { path, extra: { pipeline: true } })));
    await until(() => rec.events.filter((e) => e.startsWith('completed')).length === 3);
    expect(server.connections).toBe(1);
    expect(wsis.map((w) => rec.body(w))).toEqual(['answer /a', 'answer /b', 'answer /c']);
    expect(wsis[1]?.parent).toBe(wsis[0]);
  });

  it('reuses an idle kept connection for a later request', async () => {
    server = await scriptedServer((sock, head) => reply(sock, pathOf(head)));
    const rec = recorder();
    context = await clientContext([rec.protocol]);
    for (const path of ['/1', '/2', '/3']) {
      const w = context.clientConnect(to(server.port, { path, extra: { pipeline: true } }));
      await until(() => rec.body(w) === path && (context as Context).wsiCount === 1);
    }
    expect(server.connections).toBe(1);
    expect(server.heads).toHaveLength(3);
  });

  it('keeps to maxConnectionsPerHost: six requests over two connections', async () => {
    server = await scriptedServer((sock, head) => reply(sock, pathOf(head)));
    const rec = recorder();
    context = await clientContext([rec.protocol]);
    const wsis = [1, 2, 3, 4, 5, 6].map((i) => (context as Context).clientConnect(to(server?.port as number, { path: `/${i}`, extra: { pipeline: true, maxConnectionsPerHost: 2 } })));
    await until(() => rec.events.filter((e) => e.startsWith('completed')).length === 6);
    expect(server.connections).toBe(2);
    expect(wsis.map((w) => rec.body(w))).toEqual(['/1', '/2', '/3', '/4', '/5', '/6']);
  });

  it('does not pipeline a POST: its head goes only after the previous response', async () => {
    const order: string[] = [];
    let first: Socket | undefined;
    server = await scriptedServer((sock, head, i) => {
      order.push(`req ${pathOf(head)}`);
      if (i === 0) first = sock;
      else reply(sock, 'second');
    });
    const rec = recorder();
    context = await clientContext([rec.protocol]);
    context.clientConnect(to(server.port, { path: '/get', extra: { pipeline: true } }));
    context.clientConnect(to(server.port, { method: 'POST', path: '/post', extra: { pipeline: true, body: 'x' } }));
    await until(() => order.length === 1);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['req /get']);
    order.push('res /get');
    reply(first as Socket, 'first');
    await until(() => rec.events.filter((e) => e.startsWith('completed')).length === 2);
    expect(order).toEqual(['req /get', 'res /get', 'req /post']);
  });

  it('refuses requests past maxQueue with LWS_ERR_H1_CLIENT_QUEUE_FULL', async () => {
    server = await scriptedServer((sock, head) => reply(sock, pathOf(head)));
    const rec = recorder();
    context = await clientContext([rec.protocol]);
    for (let i = 0; i < 4; i++) context.clientConnect(to(server.port, { path: `/${i}`, extra: { pipeline: true, maxQueue: 2 } }));
    await until(() => rec.events.filter((e) => /^(completed|error)/.test(e)).length === 4);
    expect(rec.events.filter((e) => e.startsWith('error'))).toEqual([
      'error LWS_ERR_H1_CLIENT_QUEUE_FULL: Cannot queue request: 2 requests wait on the connection, limit is 2',
      'error LWS_ERR_H1_CLIENT_QUEUE_FULL: Cannot queue request: 2 requests wait on the connection, limit is 2',
    ]);
  });

  it('fails pipelined requests the server will not answer after "connection: close" with LWS_ERR_H1_CLIENT_CLOSED', async () => {
    server = await scriptedServer((sock, head, i) => {
      if (i === 0) reply(sock, 'only', 'connection: close\r\n');
    });
    const rec = recorder();
    context = await clientContext([rec.protocol]);
    for (const path of ['/a', '/b']) context.clientConnect(to(server.port, { path, extra: { pipeline: true } }));
    await until(() => rec.events.filter((e) => /^(completed|error)/.test(e)).length === 2);
    await drained(context);
    expect(rec.events.filter((e) => /^(completed|error)/.test(e))).toEqual([
      'completed only',
      'error LWS_ERR_H1_CLIENT_CLOSED: Cannot send request: the server closed the connection after the previous response',
    ]);
  });

  it('fails requests queued on a connection that could not connect', async () => {
    server = await scriptedServer(() => undefined);
    const port = server.port;
    await new Promise((r) => server?.server.close(r));
    server = undefined;
    const rec = recorder();
    context = await clientContext([rec.protocol]);
    for (const path of ['/a', '/b']) context.clientConnect(to(port, { path, extra: { pipeline: true } }));
    await until(() => rec.events.length === 2);
    await drained(context);
    expect(rec.events.sort()).toEqual([
      `error LWS_ERR_CORE_CONNECT: Cannot connect: connect ECONNREFUSED 127.0.0.1:${port}`,
      'error LWS_ERR_H1_CLIENT_CLOSED: Cannot receive response: the shared connection closed',
    ]);
  });
});

describe('h1 client pipelining: closing a request', () => {
  it('keeps the connection when a completed request\'s wsi is closed by its protocol', async () => {
    server = await scriptedServer((sock, head) => reply(sock, pathOf(head)));
    const events: string[] = [];
    const { defineProtocol } = await import('../../../src/context/protocol.js');
    const p = defineProtocol({
      name: 'rec',
      completedClientHttp: (wsi) => {
        events.push(`completed ${wsi.id}`);
        wsi.close();
      },
      clientConnectionError: (_w, _p, err) => void events.push(`error ${err.code}`),
    });
    context = await clientContext([p]);
    for (const path of ['/a', '/b', '/c']) context.clientConnect(to(server.port, { path, extra: { pipeline: true } }));
    await until(() => events.length === 3);
    expect(events.every((e) => e.startsWith('completed'))).toBe(true);
    expect(server.connections).toBe(1);
  });

  it('drops a queued request that is closed before it was sent, without an error, and sends the rest', async () => {
    let first: Socket | undefined;
    server = await scriptedServer((sock, head, i) => {
      if (i === 0) first = sock;
      else reply(sock, pathOf(head));
    });
    const rec = recorder();
    context = await clientContext([rec.protocol]);
    context.clientConnect(to(server.port, { path: '/first', extra: { pipeline: true } }));
    const post = context.clientConnect(to(server.port, { method: 'POST', path: '/dropped', extra: { pipeline: true, body: 'x' } }));
    const last = context.clientConnect(to(server.port, { path: '/last', extra: { pipeline: true } }));
    await until(() => server?.heads.length === 1);
    post.close();
    reply(first as Socket, 'first');
    await until(() => rec.body(last) === '/last');
    expect(server.heads.map(pathOf)).toEqual(['/first', '/last']);
    expect(rec.events.filter((e) => e.startsWith('error'))).toEqual([]);
  });
});
