/*
 * Feeding the event loop from worker threads: what lws does with a
 * mutex-protected queue and lws_cancel_service (minimal-ws-server-threads).
 * Producers in worker threads post over a MessagePort; the main thread hands
 * each message to `receive` in order, which may refuse it while its own store
 * is full. A producer may have at most `credit` messages sent and not yet
 * accepted, so whatever the threads do, memory holds at most
 * producers × credit messages besides the application's own store.
 */
import { MessageChannel, type MessagePort, type Transferable } from 'node:worker_threads';

/** Options of `new ThreadInbox()`. */
export interface ThreadInboxOptions<T> {
  /** Messages one producer may have in flight or held before it must wait (1..4096). Default 8. */
  credit?: number;
  /** Most producers attached at once (1..65536); `createPort()` throws past it. Default 64. */
  maxProducers?: number;
  /**
   * Runs on the event loop for each message, in each producer's order. Return
   * false to refuse it for now (store full): it is held, with that producer's
   * later messages, until `retry()` delivers it.
   */
  receive(msg: T): boolean | void;
}

type ToMain<T> = { m: T };
type ToThread = { credit: number };

interface Producer<T> {
  port: MessagePort;
  held: T[];
  /** The thread closed its end (or exited): forget it once its held messages are delivered. */
  gone: boolean;
}

function intIn(what: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`Cannot create thread inbox: ${what} must be an integer from ${min} to ${max}, got ${String(v)}`);
  }
  return v;
}

/**
 * The main-thread end of a bounded feed from worker threads.
 *
 * @example
 * ```ts
 * const inbox = new ThreadInbox<string>({
 *   receive: (msg) => {
 *     if (!ring.insert(msg)) return false; // held until inbox.retry()
 *     for (const wsi of live) wsi.callbackOnWritable();
 *   },
 * });
 * const port = inbox.createPort();
 * startThread(new URL('./spam.ts', import.meta.url), { workerData: { port }, transferList: [port] });
 * ```
 */
export class ThreadInbox<T> {
  readonly credit: number;
  readonly maxProducers: number;
  #receive: (msg: T) => boolean | void;
  #producers = new Set<Producer<T>>();
  #received = 0;
  #closed = false;

  constructor(opts: ThreadInboxOptions<T>) {
    if (typeof opts.receive !== 'function') throw new TypeError('Cannot create thread inbox: receive must be a function');
    this.credit = intIn('credit', opts.credit ?? 8, 1, 4096);
    this.maxProducers = intIn('maxProducers', opts.maxProducers ?? 64, 1, 65536);
    this.#receive = opts.receive;
  }

  /** Producers attached now. */
  get producers(): number {
    return this.#producers.size;
  }

  /** Messages refused by `receive` and waiting for `retry()`. */
  get held(): number {
    let n = 0;
    for (const p of this.#producers) n += p.held.length;
    return n;
  }

  /** Messages accepted by `receive` so far. */
  get received(): number {
    return this.#received;
  }

  /**
   * A port for one producer: transfer it to the worker (in `workerData` with
   * `transferList`, or by `postMessage`) and wrap it in a `ThreadProducer`.
   */
  createPort(): MessagePort {
    if (this.#closed) throw new Error('Cannot create port: thread inbox is closed');
    if (this.#producers.size >= this.maxProducers) {
      throw new RangeError(`Cannot create port: thread inbox has ${this.#producers.size} producers, limit is ${this.maxProducers}`);
    }
    const { port1, port2 } = new MessageChannel();
    const p: Producer<T> = { port: port1, held: [], gone: false };
    this.#producers.add(p);
    port1.on('message', (msg: ToMain<T>) => this.#onMessage(p, msg.m));
    port1.on('close', () => {
      p.gone = true;
      if (p.held.length === 0) this.#producers.delete(p);
    });
    port1.postMessage({ credit: this.credit } satisfies ToThread);
    return port2;
  }

  #onMessage(p: Producer<T>, msg: T): void {
    if (p.held.length > 0 || !this.#deliver(p, msg)) p.held.push(msg);
  }

  #deliver(p: Producer<T>, msg: T): boolean {
    if (this.#receive(msg) === false) return false;
    this.#received++;
    if (!p.gone) p.port.postMessage({ credit: 1 } satisfies ToThread);
    return true;
  }

  /** Offer held messages to `receive` again, oldest first, until it refuses one. */
  retry(): void {
    for (const p of this.#producers) {
      while (p.held.length > 0) {
        if (!this.#deliver(p, p.held[0] as T)) return;
        p.held.shift();
      }
      if (p.gone) this.#producers.delete(p);
    }
  }

  /** Close every port; producers see their sends fail. Held messages are dropped. */
  close(): void {
    this.#closed = true;
    for (const p of this.#producers) {
      p.held.length = 0;
      p.port.close();
    }
    this.#producers.clear();
  }
}

/**
 * The worker-thread end of a `ThreadInbox` feed: sends only with credit.
 *
 * @example
 * ```ts
 * const producer = new ThreadProducer<string>(workerData.port);
 * for (let n = 0; ; n++) {
 *   await producer.send(`tid ${threadId}: msg ${n}`); // waits while the main thread is behind
 * }
 * ```
 */
export class ThreadProducer<T> {
  #port: MessagePort;
  #credit = 0;
  #waiter: { resolve: () => void; reject: (e: Error) => void } | undefined;
  #closed = false;

  constructor(port: MessagePort) {
    this.#port = port;
    port.on('message', (msg: ToThread) => {
      this.#credit += msg.credit;
      const w = this.#waiter;
      this.#waiter = undefined;
      w?.resolve();
    });
    port.on('close', () => {
      this.#closed = true;
      const w = this.#waiter;
      this.#waiter = undefined;
      w?.reject(new Error('Cannot send: thread inbox closed its port'));
    });
  }

  /** Messages that may be sent now without waiting. */
  get credit(): number {
    return this.#credit;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Send now if there is credit; false (nothing sent) otherwise. */
  trySend(msg: T, transfer?: readonly Transferable[]): boolean {
    if (this.#closed || this.#credit === 0) return false;
    this.#credit--;
    this.#port.postMessage({ m: msg } satisfies ToMain<T>, transfer);
    return true;
  }

  /** Send, waiting for credit first; one send may wait at a time. Rejects once the inbox closed. */
  async send(msg: T, transfer?: readonly Transferable[]): Promise<void> {
    while (!this.trySend(msg, transfer)) {
      if (this.#closed) throw new Error('Cannot send: thread inbox closed its port');
      if (this.#waiter) throw new Error('Cannot send: another send is already waiting for credit');
      await new Promise<void>((resolve, reject) => {
        this.#waiter = { resolve, reject };
      });
    }
  }

  /** Detach: the inbox forgets this producer. */
  close(): void {
    this.#closed = true;
    this.#port.close();
  }
}
