/*
 * Incremental application/x-www-form-urlencoded parser (WHATWG URL
 * "application/x-www-form-urlencoded parsing", lws_spa's urldecode): fields
 * split on `&`, name from value on the first `=`, `+` is a space, `%XX` a
 * byte, decoded as UTF-8. `%` escapes may be cut anywhere between chunks.
 * Used for POST bodies and for GET query strings alike.
 */
import { LwsError } from '../errors.js';
import { CappedBytes } from './spa-bytes.js';

/** Limits of one urlencoded parse; every one is enforced while bytes arrive. */
export interface UrlencodedLimits {
  /** Longest field name, bytes after decoding. */
  maxNameBytes: number;
  /** Longest field value, bytes after decoding (413 past it). */
  maxValueBytes: number;
  /** Most fields (413 past it). */
  maxFields: number;
}

/** Receives each complete field; may return an error to stop the parse. */
export type UrlencodedFieldSink = (name: string, value: string) => LwsError | void;

const PLUS = 0x2b;
const PERCENT = 0x25;
const AMP = 0x26;
const EQ = 0x3d;
const SPACE = 0x20;

function hexVal(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const l = b | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** End of the run of bytes from `i` that need no decoding (`=` is plain inside a value). */
function plainRun(b: Uint8Array, i: number, inValue: boolean): number {
  while (i < b.length) {
    const c = b[i] as number;
    if (c === AMP || c === PERCENT || c === PLUS || (c === EQ && !inValue)) break;
    i++;
  }
  return i;
}

/**
 * Streaming urlencoded parser: `write()` pieces in any split, then `end()`.
 * Failures are returned (and kept in `error`), never thrown.
 *
 * @example
 * ```ts
 * const p = new UrlencodedParser({ maxNameBytes: 64, maxValueBytes: 1024, maxFields: 16 }, (n, v) => void fields.set(n, v));
 * p.write(Buffer.from('text1=hello+wor'));
 * p.write(Buffer.from('ld%21&send=Send'));
 * p.end(); // fields: text1 -> 'hello world!', send -> 'Send'
 * ```
 */
export class UrlencodedParser {
  #limits: UrlencodedLimits;
  #sink: UrlencodedFieldSink;
  #name: CappedBytes;
  #value: CappedBytes;
  #inValue = false;
  #any = false;
  /** 0: plain, 1: after `%`, 2: after `%X`. */
  #pct = 0;
  #hi = 0;
  #fields = 0;
  #error: LwsError | undefined;
  #ended = false;

  constructor(limits: UrlencodedLimits, sink: UrlencodedFieldSink) {
    for (const k of ['maxNameBytes', 'maxValueBytes', 'maxFields'] as const) {
      const v = limits[k];
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`Cannot create urlencoded parser: ${k} is ${String(v)}, expected a non-negative integer`);
    }
    this.#limits = limits;
    this.#sink = sink;
    this.#name = new CappedBytes(limits.maxNameBytes);
    this.#value = new CappedBytes(limits.maxValueBytes);
  }

  /** The first failure, if any; the parser takes no more input after it. */
  get error(): LwsError | undefined {
    return this.#error;
  }

  /** Feed a piece of the body (or query). */
  write(chunk: Uint8Array): LwsError | undefined {
    if (this.#error || this.#ended) return this.#error;
    let i = 0;
    while (i < chunk.length) {
      // plain bytes go over in one run; specials one at a time
      const end = this.#pct === 0 ? plainRun(chunk, i, this.#inValue) : i;
      if (end > i) {
        this.#any = true;
        const err = this.#pushRun(chunk.subarray(i, end));
        if (err) return (this.#error = err);
        i = end;
        continue;
      }
      const err = this.#byte(chunk[i++] as number);
      if (err) return (this.#error = err);
    }
    return undefined;
  }

  #pushRun(run: Uint8Array): LwsError | undefined {
    const acc = this.#inValue ? this.#value : this.#name;
    const room = acc.limit - acc.length;
    if (run.length <= room) {
      acc.push(run);
      return undefined;
    }
    // over the limit: fill up, then the next byte fails as it does byte-wise
    acc.push(run.subarray(0, room));
    return this.#push(run[room] as number);
  }

  /** The input has ended: emit the last field. */
  end(): LwsError | undefined {
    if (this.#error || this.#ended) return this.#error;
    this.#ended = true;
    if (this.#pct !== 0) {
      return (this.#error = new LwsError('LWS_ERR_SPA_BAD_ENCODING', 'Cannot decode form field: input ends inside a %-escape', { status: 400 }));
    }
    const err = this.#finishField();
    if (err) this.#error = err;
    return err;
  }

  #byte(b: number): LwsError | undefined {
    if (this.#pct !== 0) return this.#escapeByte(b);
    if (b === AMP) return this.#finishField();
    this.#any = true;
    if (b === EQ && !this.#inValue) {
      this.#inValue = true;
      return undefined;
    }
    if (b === PERCENT) {
      this.#pct = 1;
      return undefined;
    }
    return this.#push(b === PLUS ? SPACE : b);
  }

  #escapeByte(b: number): LwsError | undefined {
    const v = hexVal(b);
    if (v < 0) {
      const shown = b >= 0x21 && b < 0x7f ? `"${String.fromCharCode(b)}"` : `0x${b.toString(16).padStart(2, '0')}`;
      return new LwsError('LWS_ERR_SPA_BAD_ENCODING', `Cannot decode form field: %-escape has ${shown}, expected a hex digit`, { status: 400 });
    }
    if (this.#pct === 1) {
      this.#hi = v;
      this.#pct = 2;
      return undefined;
    }
    this.#pct = 0;
    return this.#push(this.#hi * 16 + v);
  }

  #push(b: number): LwsError | undefined {
    if (this.#inValue) {
      if (this.#value.pushByte(b)) return undefined;
      return new LwsError('LWS_ERR_SPA_FIELD_TOO_LARGE', `Cannot accept form field "${this.#nameText()}": value is longer than ${this.#limits.maxValueBytes} bytes`, { status: 413 });
    }
    if (this.#name.pushByte(b)) return undefined;
    return new LwsError('LWS_ERR_SPA_FIELD_TOO_LARGE', `Cannot accept form field: name is longer than ${this.#limits.maxNameBytes} bytes`, { status: 413 });
  }

  #nameText(): string {
    return this.#name.text() ?? '';
  }

  #finishField(): LwsError | undefined {
    if (!this.#any) return undefined; // empty pair: `a=1&&b=2`
    const name = this.#name.text();
    const value = this.#value.text();
    this.#name.clear();
    this.#value.clear();
    this.#inValue = false;
    this.#any = false;
    if (name === undefined || value === undefined) {
      return new LwsError('LWS_ERR_SPA_BAD_ENCODING', `Cannot decode form field${name === undefined ? '' : ` "${name}"`}: ${name === undefined ? 'name' : 'value'} is not UTF-8`, { status: 400 });
    }
    if (++this.#fields > this.#limits.maxFields) {
      return new LwsError('LWS_ERR_SPA_TOO_MANY_FIELDS', `Cannot accept form field "${name}": more than ${this.#limits.maxFields} fields`, { status: 413 });
    }
    return this.#sink(name, value) ?? undefined;
  }
}
