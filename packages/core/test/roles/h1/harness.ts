/*
 * Runs H1Parser over byte splits and records its events in a comparable form:
 * body pieces merged, upgrade remainder collected, errors as code/message/status.
 */
import { expect } from 'vitest';
import { H1Parser, type H1Kind, type H1Limits } from '../../../src/roles/h1/parser.js';
import { ascii, feedAll, splitEverywhere } from '../../helpers/split.js';

export interface RunOptions extends H1Limits {
  /** Pause in every onComplete / onHead / onBody (the feeder resumes and re-feeds the rest). */
  pauseOnComplete?: boolean;
  pauseOnHead?: boolean;
  pauseOnBody?: boolean;
  /** Call acceptUpgrade() in onHead when the request asks for Upgrade or is CONNECT. */
  acceptUpgrade?: boolean;
  /** Response parsers: methods of the awaited requests, in order. */
  expect?: string[];
  /** Call finish() after the last byte. */
  finish?: boolean;
}

export type H1Event =
  | { type: 'head'; head: Record<string, unknown> }
  | { type: 'body'; data: string }
  | { type: 'chunk'; size: number; extensions: unknown[] }
  | { type: 'complete'; trailers: unknown[] }
  | { type: 'upgraded'; rest: string }
  | { type: 'finished' }
  | { type: 'error'; code: string; message: string; status: number | undefined };

/** Feeds `chunks` to a fresh parser and returns its events. */
export function run(kind: H1Kind, chunks: Iterable<Uint8Array>, opts: RunOptions = {}): H1Event[] {
  const { pauseOnComplete, pauseOnHead, pauseOnBody, acceptUpgrade, expect: methods, finish, ...limits } = opts;
  const events: H1Event[] = [];
  const parser: H1Parser = new H1Parser({ kind, ...limits }, {
    onHead(head) {
      events.push({ type: 'head', head: { ...head } });
      if (pauseOnHead) parser.pause();
      const asks = 'method' in head && (head.upgrade !== undefined || head.method === 'CONNECT');
      if (acceptUpgrade && asks) parser.acceptUpgrade();
    },
    onBody(chunk) {
      const last = events[events.length - 1];
      const data = Buffer.from(chunk).toString('latin1');
      if (last?.type === 'body') last.data += data;
      else events.push({ type: 'body', data });
      if (pauseOnBody) parser.pause();
    },
    onChunkHeader(size, extensions) {
      events.push({ type: 'chunk', size, extensions: [...extensions] });
    },
    onComplete(trailers) {
      events.push({ type: 'complete', trailers: [...trailers] });
      if (pauseOnComplete) parser.pause();
    },
  });
  for (const m of methods ?? []) parser.expectResponse(m);
  let rest: Uint8Array[] | undefined;
  let failed = false;
  feedAll(chunks, (chunk) => {
    if (rest) return void rest.push(chunk);
    const r = parser.execute(chunk);
    if (r.kind === 'error') {
      failed = true;
      events.push({ type: 'error', code: r.error.code, message: r.error.message, status: r.error.wire.status });
      return 'stop';
    }
    if (r.kind === 'upgraded') return void (rest = [chunk.subarray(r.consumed)]);
    if (r.kind === 'paused') parser.resume();
    return r.consumed;
  });
  if (rest) events.push({ type: 'upgraded', rest: Buffer.concat(rest).toString('latin1') });
  else if (finish && !failed) {
    const r = parser.finish();
    if (r.kind === 'error') events.push({ type: 'error', code: r.error.code, message: r.error.message, status: r.error.wire.status });
    else events.push({ type: 'finished' });
  }
  return events;
}

/** Runs every split of `input` (see splitEverywhere), asserts they agree, returns the events. */
export function parseEvery(kind: H1Kind, input: string | Uint8Array, opts: RunOptions = {}): H1Event[] {
  const bytes = typeof input === 'string' ? ascii(input) : input;
  const whole = run(kind, [bytes], opts);
  for (const chunks of splitEverywhere(bytes)) {
    const events = run(kind, chunks, opts);
    if (JSON.stringify(events) !== JSON.stringify(whole)) {
      expect(events, `split into ${chunks.map((c) => c.length).join('+')} bytes`).toEqual(whole);
    }
  }
  return whole;
}

/** The error event the input ends in, for every split. */
export function parseError(kind: H1Kind, input: string | Uint8Array, opts: RunOptions = {}): H1Event {
  const events = parseEvery(kind, input, opts);
  const last = events[events.length - 1];
  expect(last?.type).toBe('error');
  return last as H1Event;
}

/** Asserts a request fails with `code`, `message` and `status` for every split. */
export function expectRequestError(input: string, code: string, message: string, status: number, opts: RunOptions = {}): void {
  expect(parseError('request', input, opts)).toEqual({ type: 'error', code, message, status });
}

/** Asserts a response fails with `code` and `message` (status 502) for every split. */
export function expectResponseError(input: string, code: string, message: string, opts: RunOptions = {}): void {
  expect(parseError('response', input, opts)).toEqual({ type: 'error', code, message, status: 502 });
}
