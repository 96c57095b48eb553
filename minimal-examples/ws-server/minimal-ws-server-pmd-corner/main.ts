/*
 * lws-minimal-ws-server-pmd-corner
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * permessage-deflate corner cases, sent to every client that connects, in
 * order, one fragment per writeable callback: empty messages, one byte,
 * lengths at the 7/16/64-bit frame length boundaries, a message that
 * deflates to almost nothing and one that does not deflate at all, empty
 * first and last fragments, and a UTF-8 character split across fragments.
 * It logs each message's length and sha1, then sends `done`; a peer checks
 * what it received against those lines.
 */
import { createHash } from 'node:crypto';
import { cmdline, createContext, defineProtocol, log } from '@lws/core';

interface Corner {
  name: string;
  binary: boolean;
  /** The fragments; one fragment is a whole message. */
  fragments: Buffer[];
}

function noise(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

const euro = Buffer.from('€'); // 3 bytes, split below
const CORNERS: Corner[] = [
  { name: 'empty text', binary: false, fragments: [Buffer.alloc(0)] },
  { name: 'empty binary', binary: true, fragments: [Buffer.alloc(0)] },
  { name: 'one byte', binary: false, fragments: [Buffer.from('x')] },
  { name: '125 bytes', binary: true, fragments: [Buffer.alloc(125, 1)] },
  { name: '126 bytes', binary: true, fragments: [Buffer.alloc(126, 2)] },
  { name: '65535 bytes', binary: true, fragments: [Buffer.alloc(65535, 3)] },
  { name: '65536 bytes', binary: true, fragments: [Buffer.alloc(65536, 4)] },
  { name: 'deflates to nothing', binary: false, fragments: [Buffer.alloc(256 * 1024, 'a')] },
  { name: 'does not deflate', binary: true, fragments: [noise(8192)] },
  { name: 'empty first fragment', binary: false, fragments: [Buffer.alloc(0), Buffer.from('hello'), Buffer.from(' world')] },
  { name: 'empty last fragment', binary: true, fragments: [noise(100), Buffer.alloc(100, 7), Buffer.alloc(0)] },
  { name: 'utf-8 split across fragments', binary: false, fragments: [Buffer.from('price: '), euro.subarray(0, 1), euro.subarray(1), Buffer.from('42')] },
];

interface Pss {
  message: number;
  fragment: number;
}

const corner = defineProtocol<Pss>({
  name: 'lws-minimal-pmd-corner',
  newPss: () => ({ message: 0, fragment: 0 }),
  established: (wsi) => wsi.callbackOnWritable(),
  receive() {},

  serverWriteable(wsi, pss) {
    const c = CORNERS[pss.message];
    if (!c) {
      if (pss.message === CORNERS.length) wsi.write('done', 'text');
      pss.message++;
      return;
    }
    const i = pss.fragment;
    const final = i === c.fragments.length - 1;
    wsi.write(c.fragments[i] as Buffer, i === 0 ? (c.binary ? 'binary' : 'text') : 'continuation', { final });
    if (final) {
      const all = Buffer.concat(c.fragments);
      log.user(`sent ${pss.message}: ${c.binary ? 'binary' : 'text'} ${all.length} ${createHash('sha1').update(all).digest('hex')} (${c.name})`);
      pss.message++;
      pss.fragment = 0;
    } else {
      pss.fragment++;
    }
    wsi.callbackOnWritable();
  },
});

const context = await createContext({
  port: cmdline.int('--port', 7681),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  protocols: [corner],
  // threshold 0: even the empty messages go through the compressor
  ws: { permessageDeflate: cmdline.has('--no-pmd') ? false : { threshold: 0 } },
});
log.user(`LWS minimal ws server pmd corner | ws://127.0.0.1:${context.port}`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
