/*
 * SSE broadcast (lws minimal-http-server-sse-ring): one writer publishes
 * events into an LwsRing, every client reads them at its own tail, and each
 * client's writeable callback sends what it has waiting. Memory is bounded
 * by the ring: `capacity` events of at most `maxEventBytes` each.
 *
 * A slow client (its socket not writeable) falls behind. With the default
 * policy `'drop-oldest'` it loses the oldest events it has not read and is
 * told so with a `: dropped N` comment; the others never wait for it. With
 * `'wait'` the ring fills up to the slowest client and `publish` returns
 * false: the writer is flow-controlled and decides what to do.
 */
import type { Wsi } from '../context/wsi.js';
import { LwsRing, type LwsRingPolicy, type LwsRingReader } from '../misc/ring.js';
import { formatSseComment, formatSseEvent, type SseEvent } from './sse.js';

export interface SseBroadcasterOptions {
  /** Events held for the slowest client. Default 64. */
  capacity?: number;
  /** When the slowest client holds every slot: drop its oldest (default) or refuse the publish. */
  policy?: LwsRingPolicy;
  /** Largest formatted event, bytes (RangeError past it). Default 8192. */
  maxEventBytes?: number;
  /** Most bytes one writeable callback sends (several events coalesced). Default 16384. */
  maxWriteBytes?: number;
}

interface Client {
  reader: LwsRingReader<Buffer>;
  reportedDrops: number;
}

function positive(what: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`Cannot create SSE broadcaster: ${what} is ${String(v)}, expected a positive integer`);
  return v;
}

/**
 * Many SSE clients fed from one ring.
 *
 * @example
 * ```ts
 * const bc = new SseBroadcaster({ capacity: 32 });
 * // http:           startSse(wsi); bc.addClient(wsi);
 * // httpWriteable:  bc.writeable(wsi);
 * // closedHttp:     bc.removeClient(wsi);
 * setInterval(() => bc.publish({ data: new Date().toISOString() }), 1000);
 * ```
 */
export class SseBroadcaster {
  #ring: LwsRing<Buffer>;
  #clients = new Map<Wsi, Client>();
  #maxEvent: number;
  #maxWrite: number;
  #seq = 0;

  constructor(options: SseBroadcasterOptions = {}) {
    this.#ring = new LwsRing<Buffer>({ capacity: positive('capacity', options.capacity ?? 64), policy: options.policy ?? 'drop-oldest' });
    this.#maxEvent = positive('maxEventBytes', options.maxEventBytes ?? 8192);
    this.#maxWrite = positive('maxWriteBytes', options.maxWriteBytes ?? 16384);
  }

  /** Clients attached now. */
  get clientCount(): number {
    return this.#clients.size;
  }

  /** Events held in the ring (not yet read by every client). */
  get held(): number {
    return this.#ring.size;
  }

  /** Events published so far (also the default `id` of the next one). */
  get published(): number {
    return this.#seq;
  }

  /** Attach a client whose event stream was started; it sees events published from now on. */
  addClient(wsi: Wsi): void {
    if (this.#clients.has(wsi)) return;
    this.#clients.set(wsi, { reader: this.#ring.addReader(), reportedDrops: 0 });
  }

  /** Detach a client (closedHttp); its unread events are released. */
  removeClient(wsi: Wsi): void {
    this.#clients.get(wsi)?.reader.remove();
    this.#clients.delete(wsi);
  }

  /**
   * Publish to every client; `id` defaults to a sequence number. Returns
   * false, publishing nothing, under `'wait'` when the slowest client holds every slot.
   */
  publish(ev: SseEvent): boolean {
    const bytes = formatSseEvent({ id: String(this.#seq + 1), ...ev });
    if (bytes.length > this.#maxEvent) throw new RangeError(`Cannot publish SSE event: it is ${bytes.length} bytes, limit is ${this.#maxEvent}`);
    if (!this.#ring.insert(bytes)) return false;
    this.#seq++;
    for (const wsi of this.#clients.keys()) wsi.callbackOnWritable();
    return true;
  }

  /** From httpWriteable: send this client's waiting events (up to maxWriteBytes) in one write. */
  writeable(wsi: Wsi): void {
    const c = this.#clients.get(wsi);
    if (!c) return;
    const out: Buffer[] = [];
    let bytes = 0;
    const dropped = c.reader.dropped;
    if (dropped > c.reportedDrops) {
      out.push(formatSseComment(`dropped ${dropped - c.reportedDrops}`));
      c.reportedDrops = dropped;
    }
    let n = 0;
    for (let ev = c.reader.peek(n); ev && (n === 0 || bytes + ev.length <= this.#maxWrite); ev = c.reader.peek(++n)) {
      out.push(ev);
      bytes += ev.length;
    }
    c.reader.consume(n);
    if (out.length > 0) wsi.write(out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out), 'http');
    if (c.reader.waiting > 0) wsi.callbackOnWritable();
  }

  /** Detach every client (the caller closes their connections). */
  clear(): void {
    for (const c of this.#clients.values()) c.reader.remove();
    this.#clients.clear();
  }
}
