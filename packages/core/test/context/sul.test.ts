import { afterEach, describe, expect, it, vi } from 'vitest';
import { SulScheduler } from '../../src/context/sul.js';

describe('SulScheduler', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a scheduled callback once after its delay', () => {
    vi.useFakeTimers();
    const s = new SulScheduler();
    const cb = vi.fn();
    s.after(100, cb);
    vi.advanceTimersByTime(99);
    expect(cb).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(cb).toHaveBeenCalledTimes(1);
    expect(s.pendingCount).toBe(0);
  });

  it('re-scheduling replaces the pending run instead of adding one', () => {
    vi.useFakeTimers();
    const s = new SulScheduler();
    const cb = vi.fn();
    const sul = s.create(cb);
    sul.schedule(100);
    vi.advanceTimersByTime(50);
    sul.schedule(100);
    expect(s.pendingCount).toBe(1);
    vi.advanceTimersByTime(99);
    expect(cb).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(cb).toHaveBeenCalledTimes(1);
  });

  it('re-scheduling sooner fires at the sooner time; later ones keep moving the deadline', () => {
    vi.useFakeTimers();
    const s = new SulScheduler();
    const cb = vi.fn();
    const sul = s.create(cb);
    sul.schedule(100);
    sul.schedule(20);
    vi.advanceTimersByTime(20);
    expect(cb).toHaveBeenCalledTimes(1);
    // a connection's timeout moved on every read: many later deadlines, one run at the last
    for (let t = 0; t < 10; t++) {
      sul.schedule(30);
      vi.advanceTimersByTime(10);
    }
    expect(cb).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(19);
    expect(cb).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(cb).toHaveBeenCalledTimes(2);
    expect(s.pendingCount).toBe(0);
  });

  it('a cancelled sul whose timer is still armed does not run, and can be scheduled again', () => {
    vi.useFakeTimers();
    const s = new SulScheduler();
    const cb = vi.fn();
    const sul = s.create(cb);
    sul.schedule(50);
    sul.cancel();
    expect(sul.pending).toBe(false);
    vi.advanceTimersByTime(60);
    expect(cb).not.toHaveBeenCalled();
    sul.schedule(50);
    expect(s.pendingCount).toBe(1);
    vi.advanceTimersByTime(50);
    expect(cb).toHaveBeenCalledTimes(1);
  });

  it('cancel stops a pending run and is harmless twice', () => {
    vi.useFakeTimers();
    const s = new SulScheduler();
    const cb = vi.fn();
    const sul = s.after(10, cb);
    sul.cancel();
    sul.cancel();
    vi.advanceTimersByTime(20);
    expect(cb).not.toHaveBeenCalled();
    expect(sul.pending).toBe(false);
  });

  it('destroy cancels everything and refuses new schedules', () => {
    vi.useFakeTimers();
    const s = new SulScheduler();
    const cb = vi.fn();
    s.after(10, cb);
    s.after(20, cb);
    s.destroy();
    expect(s.pendingCount).toBe(0);
    s.after(5, cb);
    vi.advanceTimersByTime(50);
    expect(cb).not.toHaveBeenCalled();
  });

  it('rejects a negative or non-finite delay with a RangeError', () => {
    const s = new SulScheduler();
    const sul = s.create(() => {});
    expect(() => sul.schedule(-1)).toThrow(new RangeError('Cannot schedule sul: delay -1 ms is not a finite non-negative number'));
    expect(() => sul.schedule(Number.NaN)).toThrow(RangeError);
  });

  it('counts pending suls exactly through any order of schedule, cancel, fire and destroy', () => {
    vi.useFakeTimers();
    const s = new SulScheduler();
    let fired = 0;
    const suls = Array.from({ length: 40 }, () => s.create(() => fired++));
    const pending = new Set<number>();
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    for (let step = 0; step < 2000; step++) {
      const i = rnd(suls.length);
      const op = rnd(3);
      if (op === 0) {
        suls[i]?.schedule(1 + rnd(50));
        pending.add(i);
      } else if (op === 1) {
        suls[i]?.cancel();
        pending.delete(i);
      } else {
        vi.advanceTimersByTime(rnd(20));
        for (const j of [...pending]) if (!suls[j]?.pending) pending.delete(j);
      }
      expect(s.pendingCount).toBe(pending.size);
    }
    expect(fired).toBeGreaterThan(0);
    const before = fired;
    s.destroy();
    expect(s.pendingCount).toBe(0);
    for (const sul of suls) expect(sul.pending).toBe(false);
    vi.advanceTimersByTime(100);
    expect(fired).toBe(before);
  });
});
