/*
 * Scheduled callbacks (lws_sul) owned by a context, so destroying the
 * context cancels every pending one. Node's timer wheel does the sorting;
 * what this adds is ownership, re-arming without reallocation, and a
 * count of what is pending (tests assert nothing leaks).
 */

/** One schedulable callback, re-armable (lws_sul_schedule on the same sul). */
export class Sul {
  #owner: SulScheduler;
  #cb: () => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(owner: SulScheduler, cb: () => void) {
    this.#owner = owner;
    this.#cb = cb;
  }

  /** True while a callback is pending. */
  get pending(): boolean {
    return this.#timer !== undefined;
  }

  /** (Re)schedule to run once after `ms` milliseconds, replacing any pending run. */
  schedule(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Cannot schedule sul: delay ${ms} ms is not a finite non-negative number`);
    this.cancel();
    if (this.#owner.destroyed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#owner.release(this);
      this.#cb();
    }, ms);
    this.#owner.hold(this);
  }

  /** Cancel a pending run; harmless when nothing is pending. */
  cancel(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#owner.release(this);
  }
}

/**
 * The context's set of scheduled callbacks.
 *
 * @example
 * ```ts
 * const sul = context.sul.create(() => log.user('tick'));
 * sul.schedule(1000);
 * ```
 */
export class SulScheduler {
  #live = new Set<Sul>();
  #destroyed = false;

  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** How many callbacks are pending. */
  get pendingCount(): number {
    return this.#live.size;
  }

  create(cb: () => void): Sul {
    return new Sul(this, cb);
  }

  /** Run `cb` once after `ms`; returns the Sul so it can be cancelled. */
  after(ms: number, cb: () => void): Sul {
    const s = new Sul(this, cb);
    s.schedule(ms);
    return s;
  }

  hold(s: Sul): void {
    this.#live.add(s);
  }

  release(s: Sul): void {
    this.#live.delete(s);
  }

  /** Cancel everything and refuse new schedules. */
  destroy(): void {
    this.#destroyed = true;
    for (const s of [...this.#live]) s.cancel();
  }
}
