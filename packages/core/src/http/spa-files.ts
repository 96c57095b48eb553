/*
 * Saving form file parts to disk as they stream in (lws_spa's file upload
 * callback, done once). Each file is written to a hidden temporary file in
 * the upload directory and renamed to its final name only when its part
 * completed; a failed or abandoned upload leaves nothing behind. Writes in
 * flight are bounded: past `maxPendingBytes` the saver asks its owner to
 * stop reading (rx flow control) until the disk catches up.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { LwsError } from '../errors.js';
import type { SpaFileHandler, SpaFileInfo } from './spa.js';

/** A file saved by {@link SpaFileSaver}. */
export interface SpaSavedFile extends SpaFileInfo {
  size: number;
  /** Where it was saved. */
  path: string;
}

export interface SpaFileSaverOptions {
  /** Existing directory to save into. */
  dir: string;
  /** Bytes queued for the disk before `onPressure(true)`; default 256 KiB. */
  maxPendingBytes?: number;
  /** Called with true when writes back up (stop reading), false when they drained. */
  onPressure?: (backedUp: boolean) => void;
}

/**
 * A name safe to create inside the upload directory: letters, digits, `.`,
 * `_` and `-` only, no leading dot, at most 100 characters; `upload` if nothing is left.
 *
 * @example
 * ```ts
 * safeUploadName('../../etc/pass wd'); // 'pass_wd'
 * ```
 */
export function safeUploadName(filename: string): string {
  const base = filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1);
  const clean = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.]+/, '').slice(0, 100);
  return clean === '' ? 'upload' : clean;
}

interface Entry {
  info: SpaFileInfo;
  temp: string;
  /** Set once the part completed: where the file goes. */
  final: string | undefined;
  size: number;
  /** Every operation on the file, in order; never rejects (failures land in `failure`). */
  chain: Promise<FileHandle | undefined>;
  failure: LwsError | undefined;
  aborted: boolean;
  saved: boolean;
}

/**
 * Streams file parts to disk; pass `saver.open` (bound) as a Spa's `onFile`.
 *
 * @example
 * ```ts
 * const saver = new SpaFileSaver({ dir: '/tmp/uploads', onPressure: (p) => wsi.rxFlowControl(!p) });
 * const spa = Spa.forRequest(req, { params: ['file'], onFile: (f) => saver.open(f) });
 * // ...after spa.end():
 * const saved = await saver.settled(); // [{ name: 'file', filename: 'a.txt', size: 12, path: '/tmp/uploads/a.txt', ... }]
 * ```
 */
export class SpaFileSaver {
  readonly dir: string;
  #maxPending: number;
  #onPressure: ((b: boolean) => void) | undefined;
  #pending = 0;
  #backedUp = false;
  #entries: Entry[] = [];

  constructor(options: SpaFileSaverOptions) {
    if (typeof options.dir !== 'string' || options.dir === '') throw new TypeError('Cannot create file saver: dir must be a non-empty string');
    const max = options.maxPendingBytes ?? 256 * 1024;
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`Cannot create file saver: maxPendingBytes is ${String(max)}, expected a positive integer`);
    this.dir = options.dir;
    this.#maxPending = max;
    this.#onPressure = options.onPressure;
  }

  /** Bytes handed over and not yet written. */
  get pendingBytes(): number {
    return this.#pending;
  }

  /** Start saving one file part. */
  open(info: SpaFileInfo): SpaFileHandler {
    const temp = join(this.dir, `.lws-upload-${randomBytes(8).toString('hex')}.part`);
    const e: Entry = { info, temp, final: undefined, size: 0, chain: Promise.resolve(undefined), failure: undefined, aborted: false, saved: false };
    e.chain = open(temp, 'wx', 0o600).catch((cause: unknown) => this.#failed(e, cause));
    this.#entries.push(e);
    return {
      data: (chunk) => this.#data(e, chunk),
      end: () => this.#end(e),
      abort: () => this.#abort(e),
    };
  }

  /** Every completed file once on disk; rejects with LWS_ERR_SPA_SAVE (500) if one could not be saved. */
  async settled(): Promise<SpaSavedFile[]> {
    const out: SpaSavedFile[] = [];
    for (const e of this.#entries) {
      await e.chain;
      if (e.failure) throw e.failure;
      if (e.saved && e.final) out.push({ ...e.info, size: e.size, path: e.final });
    }
    return out;
  }

  /** Abandon the whole upload: delete every file of this saver, temporary or already saved. */
  async abort(): Promise<void> {
    for (const e of this.#entries) this.#abort(e);
    await Promise.all(this.#entries.map((e) => e.chain));
  }

  #failed(e: Entry, cause: unknown): undefined {
    e.failure ??= new LwsError('LWS_ERR_SPA_SAVE', `Cannot save upload "${e.info.filename}": ${String(cause)}`, { status: 500 }, { cause });
    return undefined;
  }

  #data(e: Entry, chunk: Uint8Array): void {
    if (e.aborted) return;
    e.size += chunk.length;
    this.#pressure(chunk.length);
    e.chain = e.chain.then(async (fh) => {
      try {
        if (fh && !e.aborted && !e.failure) await fh.write(chunk);
      } catch (cause) {
        this.#failed(e, cause);
      }
      this.#pressure(-chunk.length);
      return fh;
    });
  }

  #end(e: Entry): void {
    if (e.aborted) return;
    e.final = join(this.dir, safeUploadName(e.info.filename));
    const final = e.final;
    e.chain = e.chain.then(async (fh) => {
      try {
        await fh?.close();
        if (!fh || e.aborted || e.failure) {
          await unlink(e.temp).catch(() => undefined);
          return undefined;
        }
        await rename(e.temp, final);
        e.saved = true;
      } catch (cause) {
        this.#failed(e, cause);
        await unlink(e.temp).catch(() => undefined);
      }
      return undefined;
    });
  }

  #abort(e: Entry): void {
    if (e.aborted) return;
    e.aborted = true;
    e.chain = e.chain.then(async (fh) => {
      await fh?.close().catch(() => undefined);
      await unlink(e.temp).catch(() => undefined);
      if (e.saved && e.final) await unlink(e.final).catch(() => undefined);
      e.saved = false;
      return undefined;
    });
  }

  #pressure(delta: number): void {
    this.#pending += delta;
    if (!this.#backedUp && this.#pending > this.#maxPending) {
      this.#backedUp = true;
      this.#onPressure?.(true);
    } else if (this.#backedUp && this.#pending <= this.#maxPending / 2) {
      this.#backedUp = false;
      this.#onPressure?.(false);
    }
  }
}
