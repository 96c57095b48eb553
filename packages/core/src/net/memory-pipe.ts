/*
 * Two connected in-memory transports for unit tests: what one writes the
 * other reads, asynchronously, with a configurable high-water mark so
 * backpressure paths run without sockets.
 */
import type { Transport, TransportHandlers } from './transport.js';

const noop = (): void => {};

class MemoryEnd implements Transport {
  peer!: MemoryEnd;
  #h: TransportHandlers = { data: noop, drain: noop, end: noop, close: noop };
  #queued = 0;
  #needDrain = false;
  #paused = false;
  #inbox: Buffer[] = [];
  #destroyed = false;
  #ended = false;
  #highWater: number;

  constructor(highWater: number) {
    this.#highWater = highWater;
  }

  setHandlers(h: TransportHandlers): void {
    this.#h = h;
  }

  write(chunk: Uint8Array): boolean {
    if (this.#destroyed || this.#ended) return false;
    const copy = Buffer.from(chunk);
    this.#queued += copy.length;
    setImmediate(() => this.peer.deliver(copy, () => this.#sent(copy.length)));
    if (this.#queued > this.#highWater) this.#needDrain = true;
    return !this.#needDrain;
  }

  #sent(n: number): void {
    this.#queued -= n;
    if (this.#needDrain && this.#queued <= this.#highWater / 2) {
      this.#needDrain = false;
      this.#h.drain();
    }
  }

  /** Called by the peer; `ack` tells the writer the bytes left its buffer. */
  deliver(b: Buffer, ack: () => void): void {
    if (this.#destroyed) return;
    if (this.#paused) {
      this.#inbox.push(b);
      (b as Buffer & { ack?: () => void }).ack = ack;
      return;
    }
    ack();
    this.#h.data(b);
  }

  get needDrain(): boolean {
    return this.#needDrain;
  }

  get bufferedAmount(): number {
    return this.#queued;
  }

  pauseRead(): void {
    this.#paused = true;
  }

  resumeRead(): void {
    this.#paused = false;
    while (!this.#paused && this.#inbox.length > 0) {
      const b = this.#inbox.shift() as Buffer & { ack?: () => void };
      b.ack?.();
      this.#h.data(b);
    }
  }

  end(): void {
    if (this.#ended || this.#destroyed) return;
    this.#ended = true;
    setImmediate(() => this.peer.#h.end());
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    setImmediate(() => {
      this.#h.close();
      if (!this.peer.#destroyed) this.peer.destroy();
    });
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 0;
  readonly tls = undefined;
}

/**
 * Make a connected pair of in-memory transports.
 *
 * @example
 * ```ts
 * const [a, b] = createMemoryPipe({ highWater: 1024 });
 * ```
 */
export function createMemoryPipe(opts: { highWater?: number } = {}): [Transport, Transport] {
  const hw = opts.highWater ?? 16384;
  const a = new MemoryEnd(hw);
  const b = new MemoryEnd(hw);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
