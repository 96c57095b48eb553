/*
 * Busy polling after a pipelining burst on a lone connection.
 *
 * When one ws connection is the only one reading and sends many small
 * messages at a time (a read of LONE_BURST_MIN or more, see ops.ts), it
 * and the server take turns: the server answers the batch, goes to sleep
 * in epoll, and is woken when the next batch arrives. On a virtual machine
 * each of those wake-ups costs tens of microseconds, and the connection's
 * throughput is bounded by them, not by work. So after such a burst the
 * event loop is kept polling instead of sleeping, for up to
 * `busyPollMicros`, until the next ws read arrives: a chain of
 * setImmediate callbacks, each turn a non-blocking epoll check, with
 * timers and all other I/O served as usual. It costs at most that much CPU
 * per burst when the peer goes quiet, and nothing when other connections
 * are reading (the burst is then not lone) or bursts are small.
 * bench/ws-echo.ts, 16 B on one connection with 16 in flight: 256-270k ->
 * 325-333k msg/s at 60 us, with the same CPU per message (spinning
 * replaces the cost of sleeping and waking).
 */

/** Default of ContextOptions.busyPollMicros. */
export const DEFAULT_BUSY_POLL_MICROS = 50;
/** The largest busyPollMicros accepted. */
export const MAX_BUSY_POLL_MICROS = 1000;

let budgetMicros = DEFAULT_BUSY_POLL_MICROS;
/** ws reads so far (ops.ts counts every receive). */
let reads = 0;
let readsAtStart = 0;
let deadline = 0;
let polling = false;

/**
 * Process-wide: how long, in microseconds, the event loop keeps polling
 * for the next read after a lone pipelining burst; 0 turns it off.
 */
export function setBusyPollMicros(us: number): void {
  if (!Number.isSafeInteger(us) || us < 0 || us > MAX_BUSY_POLL_MICROS) {
    throw new RangeError(`Cannot set busyPollMicros: ${us} is not an integer from 0 to ${MAX_BUSY_POLL_MICROS}`);
  }
  budgetMicros = us;
}

/** The value setBusyPollMicros() set. */
export function busyPollMicros(): number {
  return budgetMicros;
}

/** @internal ops.ts: a ws read arrived (ends a poll in progress). */
export function countRead(): void {
  reads++;
}

/** @internal Tests: whether the loop is being kept polling now. */
export function busyPolling(): boolean {
  return polling;
}

function tick(): void {
  if (reads !== readsAtStart || performance.now() > deadline) {
    polling = false;
    return;
  }
  setImmediate(tick);
}

/** @internal ops.ts: a lone pipelining burst was answered; poll for the next read. */
export function busyPollAfterBurst(): void {
  if (budgetMicros === 0) return;
  readsAtStart = reads;
  deadline = performance.now() + budgetMicros / 1000;
  if (polling) return;
  polling = true;
  setImmediate(tick);
}
