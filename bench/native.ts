/*
 * @lws/native: the C++ backend against the TypeScript one, and the public API
 * (which routes each call by size) against both. Contenders alternate within
 * each round; each cell is the median of ROUNDS rounds after a warm-up round.
 * Prints markdown tables: the main comparison, the threshold sweep that
 * packages/native/src/index.ts cites, and the JS mask paths. About 30 s.
 *
 *   cd bench && tsx native.ts
 */
import { isUtf8 } from 'node:buffer';
import { cpus } from 'node:os';
import { backend, backendReason, mask, unmask, Utf8Validator } from '@lws/native';
// Internals, for the per-backend columns; not public API.
import { js, loadNative, type Backend } from '../packages/native/src/backends.js';
import { maskBytes, maskWords } from '../packages/native/src/js/mask.js';
import { isValidUtf8 as dfaIsValidUtf8 } from '../packages/native/src/js/utf8.js';
import { utf8UpdateBulk } from '../packages/native/src/utf8-bulk.js';

const ROUNDS = 5;
const BATCH_MS = 12; // per contender per round
const MAX_OPS = 200_000; // per contender per round

type Op = () => unknown;

/** ops/s of `op` over one bounded batch. */
function rate(op: Op): number {
  let ops = 0;
  let batch = 1;
  const start = performance.now();
  let now = start;
  while (now - start < BATCH_MS && ops < MAX_OPS) {
    for (let i = 0; i < batch; i++) op();
    ops += batch;
    batch = Math.min(batch * 2, 1024);
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Median ops/s per contender; the order rotates every round so none always runs first. */
function race(ops: Op[]): number[] {
  const samples: number[][] = ops.map(() => []);
  for (let round = -1; round < ROUNDS; round++) {
    for (let k = 0; k < ops.length; k++) {
      const i = (k + Math.max(round, 0)) % ops.length;
      const r = rate(ops[i]!);
      if (round >= 0) samples[i]!.push(r);
    }
  }
  return samples.map(median);
}

const fmtOps = (x: number): string =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(1);
const fmtNs = (opsPerSec: number): string => (1e9 / opsPerSec).toFixed(opsPerSec > 1e7 ? 1 : 0);
const fmtSize = (n: number): string => (n >= 1 << 20 ? `${n >> 20} MiB` : n >= 1024 ? `${n >> 10} KiB` : `${n} B`);

function table(head: string[], rows: string[][]): void {
  console.log(`| ${head.join(' | ')} |`);
  console.log(`| ${head.map((h, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log();
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function text(sample: string, n: number): Uint8Array {
  const bytes = new TextEncoder().encode(sample.repeat(Math.ceil(n / sample.length) + 1));
  return bytes.subarray(0, n); // may end inside a code point: a later fragment completes it
}

const ASCII_HEAVY = 'The quick brown fox jumps over the lazy dog; café, naïve — 42 times. ';
const MULTIBYTE = 'Съешь же ещё этих мягких французских булок, да выпей чаю. 日本語のテキスト、絵文字 🎉. ';

const native = loadNative();
const nat: Backend | undefined = native.native;
const key = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

console.log(`# @lws/native bench: node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'}`);
const why = backendReason ? ` (${backendReason})` : '';
console.log(`native addon: ${nat ? 'loaded' : `not loaded (${native.error})`}; public API backend: ${backend}${why}\n`);
if (!nat) console.log('No addon, no native columns: cd packages/native && node scripts/build-native.mjs\n');

// --- main comparison -------------------------------------------------------
const SIZES = [16, 1024, 64 * 1024, 1 << 20];
const main: string[][] = [];
for (const size of SIZES) {
  const source = randomBytes(size);
  const output = new Uint8Array(size);
  const rows: [string, Op, Op | undefined, Op][] = [
    [
      'mask',
      () => js.mask(source, key, output, 0, size, 1),
      nat && (() => nat.mask(source, key, output, 0, size, 1)),
      () => mask(source, key, output, 0, size, 1),
    ],
    [
      'unmask',
      () => js.unmask(output, key, 1),
      nat && (() => nat.unmask(output, key, 1)),
      () => unmask(output, key, 1),
    ],
  ];
  for (const [label, sample] of [
    ['utf8 ASCII-heavy', ASCII_HEAVY],
    ['utf8 multibyte', MULTIBYTE],
  ] as const) {
    const chunk = text(sample, size);
    const v = new Utf8Validator();
    rows.push([
      label,
      () => js.utf8Update(chunk, 0),
      nat && (() => nat.utf8Update(chunk, 0)),
      () => {
        v.reset();
        v.update(chunk);
      },
    ]);
  }
  for (const [label, jsOp, natOp, publicOp] of rows) {
    const [j, n, p] = race(natOp ? [jsOp, natOp, publicOp] : [jsOp, publicOp, publicOp]);
    const r = natOp ? [j!, n!, p!] : [j!, NaN, p!];
    main.push([
      label,
      fmtSize(size),
      fmtOps(r[0]!),
      natOp ? fmtOps(r[1]!) : '-',
      natOp ? `**${(r[1]! / r[0]!).toFixed(2)}**` : '-',
      fmtOps(r[2]!),
      (r[2]! / r[0]!).toFixed(2),
    ]);
  }
}
console.log('## native vs js (ops/s, median of 5; utf8 = one incremental update of the whole chunk)\n');
table(['op', 'size', 'js', 'native', 'native/js', 'public API', 'public/js'], main);

// --- threshold sweep -------------------------------------------------------
if (nat) {
  const SWEEP = [8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 512];
  const rows: string[][] = [];
  for (const size of SWEEP) {
    const source = randomBytes(size);
    const output = new Uint8Array(size);
    const ascii = text(ASCII_HEAVY, size);
    const multi = text(MULTIBYTE, size);
    const validMulti = new TextEncoder().encode('é€'.repeat(size)).subarray(0, size - (size % 5));
    const [mj, mn, uj, un] = race([
      () => js.mask(source, key, output, 0, size, 1),
      () => nat.mask(source, key, output, 0, size, 1),
      () => js.unmask(output, key, 1),
      () => nat.unmask(output, key, 1),
    ]);
    const [aj, an, ab, xj, xn, xb, vj, vb] = race([
      () => js.utf8Update(ascii, 0),
      () => nat.utf8Update(ascii, 0),
      () => utf8UpdateBulk(ascii, 0, nat.utf8Update),
      () => js.utf8Update(multi, 0),
      () => nat.utf8Update(multi, 0),
      () => utf8UpdateBulk(multi, 0, nat.utf8Update),
      () => dfaIsValidUtf8(validMulti),
      () => isUtf8(validMulti),
    ]);
    rows.push([`${size}`, ...[mj, mn, uj, un, aj, an, ab, xj, xn, xb, vj, vb].map((x) => fmtNs(x!))]);
  }
  console.log('## thresholds (ns per call; bulk = buffer.isUtf8 between DFA head and tail)\n');
  table(
    ['bytes', 'mask js', 'mask native', 'unmask js', 'unmask native', 'ASCII js DFA', 'ASCII native DFA', 'ASCII bulk',
      'multi js DFA', 'multi native DFA', 'multi bulk', 'isValid js DFA', 'isValid isUtf8'],
    rows,
  );
}

// --- JS mask paths ---------------------------------------------------------
const jsRows: string[][] = [];
for (const size of [256, 512, 1024, 4096, 65536]) {
  const source = randomBytes(size + 1).subarray(1); // misaligned, as payloads are
  const output = new Uint8Array(size + 2);
  const [b, w] = race([
    () => maskBytes(source, key, output, 2, size, 1),
    () => maskWords(source, key, output, 2, size, 1),
  ]);
  jsRows.push([fmtSize(size), fmtNs(b!), fmtNs(w!), (w! / b!).toFixed(2)]);
}
console.log('## JS mask paths (ns per call)\n');
table(['size', 'byte loop', 'DataView words', 'words/bytes speed'], jsRows);
