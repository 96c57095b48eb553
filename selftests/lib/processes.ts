/*
 * Child processes for selftests: examples and peers, each started in its
 * own process group and killed by pid, never by name, so a selftest stops
 * exactly what it started. Readiness is a line on the child's output, not
 * a sleep.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A running child with its output so far. */
export interface Running {
  readonly proc: ChildProcess;
  readonly pid: number;
  output(): string;
  /** Resolves with the first match of `re` in the output, or rejects after `ms`. */
  waitFor(re: RegExp, ms: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (signals count as null). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const live = new Set<Running>();

/**
 * Start a command in its own process group, collecting stdout and stderr.
 */
export function start(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Running {
  const proc = spawn(cmd, args, {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const watchers = new Set<() => void>();
  const onData = (b: Buffer): void => {
    out += b.toString();
    for (const w of watchers) w();
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => {
    proc.on('error', (err) => {
      out += `\n[spawn error] ${err.message}\n`;
      resolve(-1);
    });
    proc.on('close', (code) => resolve(code));
  });
  const r: Running = {
    proc,
    pid: proc.pid ?? -1,
    output: () => out,
    exited,
    waitFor(re, ms) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const m = out.match(re);
          if (!m) return false;
          cleanup();
          resolve(m);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`Timed out after ${ms} ms waiting for ${re} from ${cmd} ${args.join(' ')}; output:\n${out}`));
        }, ms);
        const cleanup = (): void => {
          clearTimeout(timer);
          watchers.delete(onWatch);
        };
        const onWatch = (): void => void check();
        watchers.add(onWatch);
        void exited.then((code) => {
          if (!check() && watchers.has(onWatch)) {
            cleanup();
            reject(new Error(`${cmd} exited with ${code} before printing ${re}; output:\n${out}`));
          }
        });
        check();
      });
    },
    async stop() {
      live.delete(r);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      try {
        process.kill(-r.pid, 'SIGINT');
      } catch {
        return;
      }
      const t = setTimeout(() => {
        try {
          process.kill(-r.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 3000);
      await exited;
      clearTimeout(t);
    },
  };
  live.add(r);
  return r;
}

/** Run a command to completion with a bounded time; kills it past `ms`. */
export async function run(cmd: string, args: string[], ms: number, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; output: string }> {
  const r = start(cmd, args, opts);
  let timedOut = false;
  const t = setTimeout(() => {
    timedOut = true;
    void r.stop();
  }, ms);
  const code = await r.exited;
  clearTimeout(t);
  live.delete(r);
  if (timedOut) throw new Error(`Timed out after ${ms} ms: ${cmd} ${args.join(' ')}; output:\n${r.output()}`);
  return { code, output: r.output() };
}

/** Stop every child still running (afterEach). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((r) => r.stop()));
}
