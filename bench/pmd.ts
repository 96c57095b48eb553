/*
 * permessage-deflate, one connection's PerMessageDeflate alone (no sockets):
 * µs per compress and per decompress of JSON-ish text messages of 16 B,
 * 1 KiB and 16 KiB, with and without context takeover, for both
 * implementations: the addon's persistent streams ('native', when the addon
 * is loaded) and node:zlib with a preset dictionary ('node', the fallback).
 * Each message differs from the last (ids and values change), as chat or
 * telemetry would. Each cell is the median of ROUNDS rounds (the two
 * implementations alternating) of a few thousand messages through fresh
 * instances, after a warm-up round. About 20 s.
 *
 *   cd bench && flock /tmp/bench.lock tsx pmd.ts
 */
import { backend } from '@lws/native';
// Internal, not public API: the compressor alone.
import { PerMessageDeflate } from '../packages/core/src/roles/ws/permessage-deflate.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SIZES: [string, number, number][] = [
  ['16 B', 16, 4000],
  ['1 KiB', 1024, 2000],
  ['16 KiB', 16384, 300],
];

const params = (noTakeover: boolean) => ({
  serverNoContextTakeover: noTakeover,
  clientNoContextTakeover: noTakeover,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
});

function textMessages(size: number, count: number): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  for (let m = 0; m < count; m++) {
    let s = '';
    while (s.length < size) {
      s += `{"id":${i},"type":"update","user":"user${i % 7}","value":${(i * 37) % 101}},`;
      i++;
    }
    out.push(Buffer.from(s.slice(0, size)));
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

type Zlib = 'auto' | 'node';
interface Result {
  compress: number;
  decompress: number;
  ratio: number;
}

/** One round: µs per compress and per decompress of `messages` through fresh instances. */
function round(messages: Buffer[], noTakeover: boolean, zlib: Zlib): Result {
  const sender = new PerMessageDeflate({ isServer: true, params: params(noTakeover), threshold: 0, zlib });
  const receiver = new PerMessageDeflate({ isServer: false, params: params(noTakeover), threshold: 0, zlib });
  const wire: Buffer[] = new Array(messages.length);
  let t = performance.now();
  for (let i = 0; i < messages.length; i++) wire[i] = sender.compress(messages[i]!);
  const ct = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < wire.length; i++) {
    const r = receiver.decompress([wire[i]!], 1 << 20);
    if (!Buffer.isBuffer(r) || r.length !== messages[i]!.length) throw new Error(`message ${i} did not round-trip`);
  }
  const dt = performance.now() - t;
  sender.dispose();
  receiver.dispose();
  const ratio = wire.reduce((n, w) => n + w.length, 0) / messages.reduce((n, m) => n + m.length, 0);
  return { compress: (ct * 1000) / messages.length, decompress: (dt * 1000) / messages.length, ratio };
}

/** Median per contender over ROUNDS rounds after a warm-up, the contenders alternating. */
function measure(messages: Buffer[], noTakeover: boolean, contenders: Zlib[]): Result[] {
  const samples: Result[][] = contenders.map(() => []);
  for (let r = -1; r < ROUNDS; r++) {
    contenders.forEach((zlib, i) => {
      const s = round(messages, noTakeover, zlib);
      if (r >= 0) samples[i]!.push(s);
    });
  }
  return samples.map((ss) => ({
    compress: median(ss.map((s) => s.compress)),
    decompress: median(ss.map((s) => s.decompress)),
    ratio: ss[0]!.ratio,
  }));
}

const native = new PerMessageDeflate({ isServer: true, params: params(false) }).zlib === 'native';
const contenders: Zlib[] = native ? ['node', 'auto'] : ['node'];
console.log(`permessage-deflate µs per message, median of ${ROUNDS} rounds; Node ${process.version}, @lws/native ${backend}${native ? '' : ' (no native streams: node:zlib only)'}\n`);
console.log('| message | context takeover | node compress µs | native compress µs | node decompress µs | native decompress µs | wire/plain |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
const fmt = (r: Result | undefined, key: 'compress' | 'decompress') => (r ? r[key].toFixed(1) : '-');
for (const [label, size, count] of SIZES) {
  const messages = textMessages(size, count);
  for (const noTakeover of [false, true]) {
    const [node, nat] = measure(messages, noTakeover, contenders);
    console.log(`| ${label} | ${noTakeover ? 'no' : 'yes'} | ${fmt(node, 'compress')} | ${fmt(nat, 'compress')} | ${fmt(node, 'decompress')} | ${fmt(nat, 'decompress')} | ${node!.ratio.toFixed(3)} / ${nat ? nat.ratio.toFixed(3) : '-'} |`);
  }
}
