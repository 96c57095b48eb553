/*
 * The dynamic http-server examples in the showcase: each example's protocol
 * (from its protocol-<name>.ts, as lws splits them) on a callback mount
 * under the example's own path, so its pages work here as they do alone.
 * Protocols are renamed because several examples call theirs "http".
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallbackMount, Protocol } from '@lws/core';
import { dynamicProtocol } from '../minimal-examples/http-server/minimal-http-server-dynamic/protocol-dynamic.ts';
import { formGetProtocol } from '../minimal-examples/http-server/minimal-http-server-form-get/protocol-form-get.ts';
import { formPostProtocol } from '../minimal-examples/http-server/minimal-http-server-form-post/protocol-form-post.ts';
import { uploadProtocol } from '../minimal-examples/http-server/minimal-http-server-form-post-file/protocol-form-post-file.ts';
import { sseProtocol } from '../minimal-examples/http-server/minimal-http-server-sse/protocol-sse.ts';
import { sseRingProtocol } from '../minimal-examples/http-server/minimal-http-server-sse-ring/protocol-sse-ring.ts';

const SHOWCASE_MAX_UPLOAD = 256 * 1024;

/** Protocols and callback mounts for the dynamic examples. */
export function callbackExamples(): { protocols: Protocol[]; mounts: CallbackMount[] } {
  const uploadDir = join(tmpdir(), 'lws-showcase-uploads');
  mkdirSync(uploadDir, { recursive: true });
  const list: [string, string, Protocol][] = [
    ['minimal-http-server-dynamic', 'dyn', dynamicProtocol],
    ['minimal-http-server-form-get', 'formdest', formGetProtocol],
    ['minimal-http-server-form-post', 'formdest', formPostProtocol],
    ['minimal-http-server-form-post-file', 'formdest', uploadProtocol({ uploadDir, maxFileBytes: SHOWCASE_MAX_UPLOAD })],
    ['minimal-http-server-sse', 'sse', sseProtocol(1000)],
    ['minimal-http-server-sse-ring', 'sse', sseRingProtocol(1000)],
  ];
  return {
    protocols: list.map(([name, , p]) => ({ ...p, name: `showcase-${name}` })),
    mounts: list.map(([name, path]) => ({ kind: 'callback', mountpoint: `/http-server/${name}/${path}`, protocol: `showcase-${name}` })),
  };
}
