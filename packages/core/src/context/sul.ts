/*
 * Scheduled callbacks (lws_sul) owned by a context, so destroying the
 * context cancels every pending one. Node's timer wheel does the sorting;
 * what this adds is ownership, re-arming without reallocation, and a
 * count of what is pending (tests assert nothing leaks).
 */

/**
 * One schedulable callback, re-armable (lws_sul_schedule on the same sul).
 *
 * Re-arming is cheap because connections do it per request (their timeouts
 * move on every read): a later deadline than the armed timer's only updates
 * a number, and the timer, when it fires early, arms itself again for the
 * rest. Only a sooner deadline replaces the Node timer. A cancelled sul's
 * timer is unref'd so it never holds the process open.
 */
/** Sul's due time when nothing is pending (due times are performance.now() values, never negative). */
const NOT_PENDING = -1;

export class Sul {
  #owner: SulScheduler;
  #cb: () => void;
  #timer: NodeJS.Timeout | undefined;
  /** When the Node timer fires (performance.now() ms). */
  #timerAt = 0;
  /**
   * When the callback is due, or NOT_PENDING. Always a number: a field that
   * only ever holds doubles is updated in place, one that also holds
   * undefined boxes every new value (an allocation per re-arm).
   */
  #due = NOT_PENDING;
  /** Neighbours in the owner's list of pending suls (SulScheduler). @internal */
  prev: Sul | undefined;
  /** @internal */
  next: Sul | undefined;

  constructor(owner: SulScheduler, cb: () => void) {
    this.#owner = owner;
    this.#cb = cb;
  }

  /** True while a callback is pending. */
  get pending(): boolean {
    return this.#due !== NOT_PENDING;
  }

  /** (Re)schedule to run once after `ms` milliseconds, replacing any pending run. */
  schedule(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Cannot schedule sul: delay ${ms} ms is not a finite non-negative number`);
    if (this.#owner.destroyed) return this.cancel();
    const due = performance.now() + ms;
    if (this.#due === NOT_PENDING) this.#owner.hold(this);
    this.#due = due;
    if (this.#timer !== undefined && this.#timerAt <= due) {
      this.#timer.ref();
      return;
    }
    this.#arm(ms);
  }

  /** Cancel a pending run; harmless when nothing is pending. */
  cancel(): void {
    if (this.#due === NOT_PENDING) return;
    this.#due = NOT_PENDING;
    this.#timer?.unref();
    this.#owner.release(this);
  }

  /** Drop the Node timer too (context destroy). */
  dispose(): void {
    this.cancel();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(ms: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = performance.now() + ms;
    this.#timer = setTimeout(() => this.#fire(), ms);
  }

  #fire(): void {
    this.#timer = undefined;
    const due = this.#due;
    if (due === NOT_PENDING) return;
    const left = due - performance.now();
    // Node may fire up to a millisecond early by our clock: within that, it is due
    if (left > 1) return this.#arm(left);
    this.#due = NOT_PENDING;
    this.#owner.release(this);
    this.#cb();
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
  /*
   * The pending suls, as a list threaded through them: connections move in
   * and out of it on every request, and linking allocates nothing (a Set's
   * add and delete churn its table).
   */
  #head: Sul | undefined;
  #count = 0;
  #destroyed = false;

  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** How many callbacks are pending. */
  get pendingCount(): number {
    return this.#count;
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

  /** Sul calls it when it becomes pending (once until release). */
  hold(s: Sul): void {
    s.prev = undefined;
    s.next = this.#head;
    if (this.#head) this.#head.prev = s;
    this.#head = s;
    this.#count++;
  }

  /** Sul calls it when it stops being pending. */
  release(s: Sul): void {
    if (s.prev) s.prev.next = s.next;
    else if (this.#head === s) this.#head = s.next;
    else return; // not held
    if (s.next) s.next.prev = s.prev;
    s.prev = s.next = undefined;
    this.#count--;
  }

  /** Cancel everything and refuse new schedules. */
  destroy(): void {
    this.#destroyed = true;
    while (this.#head) this.#head.dispose();
  }
}
