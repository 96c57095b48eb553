/*
 * Logging with lws's level bitmask (the `-d` option of every example):
 * ERR=1 WARN=2 NOTICE=4 INFO=8 DEBUG=16 PARSER=32 HEADER=64 EXT=128
 * CLIENT=256 LATENCY=512 USER=1024. Lines go to stderr as lws does:
 * `[2026/11/25 12:00:00:1234] USER: message`.
 */

export const LogLevel = {
  ERR: 1,
  WARN: 2,
  NOTICE: 4,
  INFO: 8,
  DEBUG: 16,
  PARSER: 32,
  HEADER: 64,
  EXT: 128,
  CLIENT: 256,
  LATENCY: 512,
  USER: 1024,
} as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

const NAMES: Record<number, string> = {
  1: 'ERR', 2: 'WARN', 4: 'NOTICE', 8: 'INFO', 16: 'DEBUG', 32: 'PARSER',
  64: 'HEADER', 128: 'EXT', 256: 'CLIENT', 512: 'LATENCY', 1024: 'USER',
};

/** lws's default: errors, warnings, notices and user lines. */
export const DEFAULT_LOG_LEVEL = LogLevel.ERR | LogLevel.WARN | LogLevel.NOTICE | LogLevel.USER;

/** Where formatted lines go; replace with `setLogEmitter` (tests capture, apps redirect). */
export type LogEmitter = (level: LogLevel, line: string) => void;

const stderrEmitter: LogEmitter = (_level, line) => {
  process.stderr.write(line + '\n');
};

function envLevel(): number {
  const v = process.env.LWS_LOG_LEVEL;
  if (v === undefined || v === '') return DEFAULT_LOG_LEVEL;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : DEFAULT_LOG_LEVEL;
}

let mask = envLevel();
let emitter: LogEmitter = stderrEmitter;

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function stamp(): string {
  const d = new Date();
  const frac = Math.floor((performance.timeOrigin + performance.now()) * 10) % 10000;
  return `[${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}:${pad(frac, 4)}]`;
}

function emit(level: LogLevel, args: unknown[]): void {
  if ((mask & level) === 0) return;
  const text = args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : String(a))).join(' ');
  emitter(level, `${stamp()} ${NAMES[level]}: ${text}`);
}

/**
 * Set which levels are emitted (lws_set_log_level). Returns the previous mask.
 *
 * @example
 * ```ts
 * setLogLevel(LogLevel.ERR | LogLevel.USER);
 * ```
 */
export function setLogLevel(level: number, newEmitter?: LogEmitter): number {
  if (!Number.isInteger(level) || level < 0) throw new RangeError(`Cannot set log level: ${level} is not a non-negative integer`);
  const prev = mask;
  mask = level;
  if (newEmitter) emitter = newEmitter;
  return prev;
}

/** Replace the line sink; pass nothing to restore stderr. */
export function setLogEmitter(newEmitter?: LogEmitter): void {
  emitter = newEmitter ?? stderrEmitter;
}

/** True when `level` is currently emitted: guard expensive log arguments with it. */
export function logEnabled(level: LogLevel): boolean {
  return (mask & level) !== 0;
}

/**
 * The logger, one method per lws level (lwsl_err, lwsl_user, ...).
 *
 * @example
 * ```ts
 * log.user(`LWS minimal http server | visit http://localhost:${port}`);
 * ```
 */
export const log = {
  DEFAULT_LEVEL: DEFAULT_LOG_LEVEL,
  err: (...a: unknown[]) => emit(LogLevel.ERR, a),
  warn: (...a: unknown[]) => emit(LogLevel.WARN, a),
  notice: (...a: unknown[]) => emit(LogLevel.NOTICE, a),
  info: (...a: unknown[]) => emit(LogLevel.INFO, a),
  debug: (...a: unknown[]) => emit(LogLevel.DEBUG, a),
  parser: (...a: unknown[]) => emit(LogLevel.PARSER, a),
  header: (...a: unknown[]) => emit(LogLevel.HEADER, a),
  ext: (...a: unknown[]) => emit(LogLevel.EXT, a),
  client: (...a: unknown[]) => emit(LogLevel.CLIENT, a),
  latency: (...a: unknown[]) => emit(LogLevel.LATENCY, a),
  user: (...a: unknown[]) => emit(LogLevel.USER, a),
};
