/*
 * lws_spa: a streaming form parser fed from httpBody chunks. GET query
 * arguments and application/x-www-form-urlencoded bodies go through
 * urlencoded.ts, multipart/form-data (RFC 7578) through multipart.ts; field
 * values are kept (bounded), file parts are streamed to a handler chunk by
 * chunk (see spa-files.ts to save them to disk), never held whole.
 */
import { LwsError } from '../errors.js';
import { MultipartParser, type MultipartPartHead } from './multipart.js';
import { multipartBoundary, parseHeaderParams } from './multipart-headers.js';
import type { HttpRequest } from './request.js';
import { CappedBytes, decodeUtf8 } from './spa-bytes.js';
import { UrlencodedParser } from './urlencoded.js';

/** A file part as its headers describe it. */
export interface SpaFileInfo {
  /** The form field name. */
  name: string;
  /** The client's filename, basename only; not safe as a path as it is. */
  filename: string;
  contentType: string;
}

/** Takes one file part's bytes (lws_spa's LWS_UFS_OPEN/CONTENT/FINAL_CONTENT/CLOSE). */
export interface SpaFileHandler {
  /** A piece of the file; a view the handler may keep but must not write into. */
  data(chunk: Uint8Array): void;
  /** The part is complete. */
  end(): void;
  /** The form failed (limit, malformed body, closed connection): drop what was stored. */
  abort(reason: LwsError): void;
}

/** A file part that reached its end. */
export interface SpaFileRecord extends SpaFileInfo {
  size: number;
}

/** Limits and expectations of one form. */
export interface SpaOptions {
  /** Field names the form expects (lws_spa param_names); default: any name. */
  params?: readonly string[];
  /** What to do with a field not in `params`: skip it (default, as lws) or fail with 400. */
  unknownFields?: 'ignore' | 'error';
  /** Longest field value, and field name, in bytes (413 past it). Default 4096. */
  maxFieldBytes?: number;
  /** Longest body (or query) in bytes, as sent (413 past it). Default 1 MiB. */
  maxTotalBytes?: number;
  /** Most fields or parts (413 past it). Default 64. */
  maxFields?: number;
  /** Header bytes of one multipart part (413 past it). Default 2048. */
  maxPartHeaderBytes?: number;
  /** Largest single file part in bytes (413 past it). Default 1 MiB. */
  maxFileBytes?: number;
  /** Called at the start of each file part; return a handler, or undefined to skip the file. */
  onFile?: (info: SpaFileInfo) => SpaFileHandler | undefined;
}

/**
 * The limits a Spa uses for options left out.
 *
 * @example
 * ```ts
 * const spa = Spa.forRequest(req, { maxFileBytes: 4 * DEFAULT_SPA_LIMITS.maxFileBytes });
 * ```
 */
export const DEFAULT_SPA_LIMITS = Object.freeze({
  maxFieldBytes: 4096,
  maxTotalBytes: 1024 * 1024,
  maxFields: 64,
  maxPartHeaderBytes: 2048,
  maxFileBytes: 1024 * 1024,
});

type Limits = { -readonly [K in keyof typeof DEFAULT_SPA_LIMITS]: number };

/** Which body format a Spa parses. */
export type SpaFormat = { kind: 'urlencoded' } | { kind: 'multipart'; boundary: string };

function resolveLimits(o: SpaOptions): Limits {
  const l: Limits = { ...DEFAULT_SPA_LIMITS };
  for (const k of Object.keys(l) as (keyof Limits)[]) {
    const v = o[k];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`Cannot create form parser: ${k} is ${String(v)}, expected a non-negative integer`);
    l[k] = v;
  }
  return l;
}

/**
 * One form being received (lws_spa). Feed `write()` from httpBody, call
 * `end()` from httpBodyCompletion, then read fields with `get()`. Failures
 * are outcomes: `write`/`end` return false and `error.wire.status` says
 * what to answer (400, 413, 415).
 *
 * @example
 * ```ts
 * http(wsi, pss, req) { pss.spa = Spa.forRequest(req, { params: ['text1'] }); if (pss.spa.error) fail(wsi, pss.spa.error); },
 * httpBody(wsi, pss, chunk) { if (!pss.spa.write(chunk)) fail(wsi, pss.spa.error!); },
 * httpBodyCompletion(wsi, pss) { if (pss.spa.end()) wsi.respondText(200, `text1: ${pss.spa.get('text1')}`); },
 * ```
 */
export class Spa {
  readonly format: SpaFormat;
  #opts: SpaOptions;
  #limits: Limits;
  #params: Set<string> | undefined;
  #fields = new Map<string, string[]>();
  #files: SpaFileRecord[] = [];
  #parser: UrlencodedParser | MultipartParser;
  #total = 0;
  #error: LwsError | undefined;
  #ended = false;
  /** The multipart part now being read. */
  #part: { head: MultipartPartHead; skip: boolean; value: CappedBytes | undefined; file: SpaFileHandler | undefined; size: number } | undefined;

  constructor(format: SpaFormat, options: SpaOptions = {}) {
    this.format = format;
    this.#opts = options;
    this.#limits = resolveLimits(options);
    this.#params = options.params ? new Set(options.params) : undefined;
    const l = this.#limits;
    if (format.kind === 'urlencoded') {
      this.#parser = new UrlencodedParser({ maxNameBytes: l.maxFieldBytes, maxValueBytes: l.maxFieldBytes, maxFields: l.maxFields }, (n, v) => this.#field(n, v));
    } else {
      this.#parser = new MultipartParser(format.boundary, { maxPartHeaderBytes: l.maxPartHeaderBytes, maxParts: l.maxFields }, {
        partStart: (h) => this.#partStart(h),
        partData: (d) => this.#partData(d),
        partEnd: () => this.#partEnd(),
      });
    }
  }

  /**
   * The Spa for a request: its query for GET/HEAD (already complete), else
   * its body by Content-Type. A wrong Content-Type (415), a bad boundary
   * (400) or a Content-Length past `maxTotalBytes` (413) is in `error` at once.
   *
   * @example
   * ```ts
   * const spa = Spa.forRequest(req, { params: ['text1', 'send'] });
   * if (spa.error) wsi.respondText(spa.error.wire.status ?? 400, spa.error.message);
   * ```
   */
  static forRequest(req: HttpRequest, options: SpaOptions = {}): Spa {
    if (req.method === 'GET' || req.method === 'HEAD') {
      const spa = new Spa({ kind: 'urlencoded' }, options);
      spa.write(Buffer.from(req.query, 'latin1'));
      spa.end();
      return spa;
    }
    const ct = req.header('content-type') ?? '';
    const type = parseHeaderParams(ct)?.value;
    let spa: Spa;
    if (type === 'application/x-www-form-urlencoded') spa = new Spa({ kind: 'urlencoded' }, options);
    else if (type === 'multipart/form-data') {
      const b = multipartBoundary(ct);
      if (typeof b !== 'string') return Spa.#failed(b, options);
      spa = new Spa({ kind: 'multipart', boundary: b }, options);
    } else {
      const err = new LwsError('LWS_ERR_SPA_CONTENT_TYPE', `Cannot parse form: Content-Type is "${ct.slice(0, 100)}", expected application/x-www-form-urlencoded or multipart/form-data`, { status: 415 });
      return Spa.#failed(err, options);
    }
    const len = Number(req.header('content-length') ?? NaN);
    if (len > spa.#limits.maxTotalBytes) spa.#fail(spa.#tooLarge(`Content-Length is ${len}`));
    return spa;
  }

  static #failed(err: LwsError, options: SpaOptions): Spa {
    const spa = new Spa({ kind: 'urlencoded' }, options);
    spa.#fail(err);
    return spa;
  }

  /** The first failure, if any. */
  get error(): LwsError | undefined {
    return this.#error;
  }

  /** True after a successful `end()`. */
  get complete(): boolean {
    return this.#ended && !this.#error;
  }

  /** Feed a piece of the body; false once the form has failed. */
  write(chunk: Uint8Array): boolean {
    if (this.#error || this.#ended) return !this.#error;
    this.#total += chunk.length;
    if (this.#total > this.#limits.maxTotalBytes) return this.#fail(this.#tooLarge(`received ${this.#total} bytes`));
    const err = this.#parser.write(chunk);
    return err ? this.#fail(err) : true;
  }

  /** The body is complete (lws_spa_finalize); true when the form parsed cleanly. */
  end(): boolean {
    if (this.#error || this.#ended) return !this.#error;
    this.#ended = true;
    const err = this.#parser.end();
    return err ? this.#fail(err) : true;
  }

  /** Stop: the connection went away. An open file handler is aborted. */
  abort(reason?: LwsError): void {
    if (this.#error || this.complete) return;
    this.#fail(reason ?? new LwsError('LWS_ERR_SPA_MISSING_FINAL_BOUNDARY', 'Cannot parse form: the request was abandoned before its end', { status: 400 }));
  }

  /** The first value of a field (lws_spa_get_string), or undefined. */
  get(name: string): string | undefined {
    return this.#fields.get(name)?.[0];
  }

  /** Every value of a field, in order. */
  getAll(name: string): readonly string[] {
    return this.#fields.get(name) ?? [];
  }

  /** Every field received, by name. */
  get fields(): ReadonlyMap<string, readonly string[]> {
    return this.#fields;
  }

  /** File parts received completely (handled or skipped by `onFile`). */
  get files(): readonly SpaFileRecord[] {
    return this.#files;
  }

  #tooLarge(detail: string): LwsError {
    return new LwsError('LWS_ERR_SPA_BODY_TOO_LARGE', `Cannot accept form: ${detail}, limit is ${this.#limits.maxTotalBytes}`, { status: 413 });
  }

  #fail(err: LwsError): false {
    this.#error ??= err;
    const file = this.#part?.file;
    this.#part = undefined;
    file?.abort(this.#error);
    return false;
  }

  /** Whether a field name is wanted; an error if unknown names are refused. */
  #wanted(name: string): boolean | LwsError {
    if (!this.#params || this.#params.has(name)) return true;
    if (this.#opts.unknownFields !== 'error') return false;
    return new LwsError('LWS_ERR_SPA_UNKNOWN_FIELD', `Cannot accept form field "${name}": the form expects ${[...this.#params].map((p) => `"${p}"`).join(', ')}`, { status: 400 });
  }

  #field(name: string, value: string): LwsError | undefined {
    const w = this.#wanted(name);
    if (typeof w !== 'boolean') return w;
    if (w) this.#fields.set(name, [...(this.#fields.get(name) ?? []), value]);
    return undefined;
  }

  #partStart(head: MultipartPartHead): LwsError | undefined {
    const w = this.#wanted(head.name);
    if (typeof w !== 'boolean') return w;
    const isFile = head.filename !== undefined;
    let file: SpaFileHandler | undefined;
    // an empty file input is sent as filename="" with no content: nothing to hand on
    if (w && isFile && head.filename !== '') file = this.#opts.onFile?.({ name: head.name, filename: head.filename as string, contentType: head.contentType });
    const value = w && !isFile ? new CappedBytes(this.#limits.maxFieldBytes) : undefined;
    this.#part = { head, skip: !w, value, file, size: 0 };
    return undefined;
  }

  #partData(d: Uint8Array): LwsError | undefined {
    const p = this.#part;
    if (!p) return undefined;
    p.size += d.length;
    if (p.head.filename !== undefined) {
      if (p.size > this.#limits.maxFileBytes) {
        return new LwsError('LWS_ERR_SPA_FILE_TOO_LARGE', `Cannot accept file "${p.head.filename}" of field "${p.head.name}": it is over ${this.#limits.maxFileBytes} bytes`, { status: 413 });
      }
      p.file?.data(d);
      return undefined;
    }
    if (p.value && !p.value.push(d)) {
      return new LwsError('LWS_ERR_SPA_FIELD_TOO_LARGE', `Cannot accept form field "${p.head.name}": value is longer than ${this.#limits.maxFieldBytes} bytes`, { status: 413 });
    }
    return undefined;
  }

  #partEnd(): LwsError | undefined {
    const p = this.#part;
    this.#part = undefined;
    if (!p || p.skip) return undefined;
    const { name, filename, contentType } = p.head;
    if (filename !== undefined) {
      if (filename === '' && p.size === 0) return undefined;
      this.#files.push({ name, filename, contentType, size: p.size });
      p.file?.end();
      return undefined;
    }
    const text = decodeUtf8(p.value?.bytes() ?? new Uint8Array(0));
    if (text === undefined) return new LwsError('LWS_ERR_SPA_BAD_ENCODING', `Cannot decode form field "${name}": value is not UTF-8`, { status: 400 });
    this.#fields.set(name, [...(this.#fields.get(name) ?? []), text]);
    return undefined;
  }
}
