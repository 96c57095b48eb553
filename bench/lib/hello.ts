/*
 * The `/hello` handler of the h1 benchmarks (server.ts over sockets,
 * h1-inproc.ts without): 200 with the 12-byte body "hello world\n".
 */
import { defineProtocol } from '@lws/core';

export const HELLO = Buffer.from('hello world\n');

export const hello = defineProtocol({
  name: 'bench-hello',
  http(wsi) {
    wsi.respond({ status: 200, contentType: 'text/plain', contentLength: HELLO.length });
    wsi.write(HELLO, 'http-final');
  },
});
