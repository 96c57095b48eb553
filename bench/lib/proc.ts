/*
 * Measuring helpers for bench runners on Linux, from /proc only:
 *
 *   - CPU time of a process and its descendants (utime + stime, fields 14
 *     and 15 of /proc/PID/stat, counted after the ")" that ends the comm
 *     field, in clock ticks of `getconf CLK_TCK`); for the root also the
 *     reaped children (cutime + cstime, fields 16 and 17). The process line
 *     already sums all of its threads.
 *   - which of a set of processes holds the listening socket of a TCP port
 *     (/proc/net/tcp{,6} inode, matched against /proc/PID/fd links), so a
 *     runner can check it measures the process that serves;
 *   - CPU pinning: a `taskset -c N` prefix, and the allowed-CPU list a
 *     process actually got (/proc/PID/status);
 *   - a command's own CPU time: run under bash, whose `times` builtin prints
 *     the user and system time of the children it waited for;
 *   - free ports, a bounded wait for a port to accept, and a check for
 *     required tools naming the Debian packages that provide them;
 *   - building a helper C program with gcc when missing or older than its
 *     source.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

let ticks: number | undefined;

/** Clock ticks per second for /proc/PID/stat times (`getconf CLK_TCK`). */
export function clockTicks(): number {
  if (ticks === undefined) {
    const t = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    ticks = Number.isFinite(t) && t > 0 ? t : 100;
  }
  return ticks;
}

export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime of the process (all threads), seconds */
  cpu: number;
  /** cutime + cstime: children the process has waited for, seconds */
  childrenCpu: number;
  threads: number;
}

/** Parses /proc/PID/stat; undefined if the process is gone. */
export function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm may contain spaces and parentheses: the fields start after the last ")"
  const rest = text.slice(text.lastIndexOf(')') + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state): field n is rest[n - 3]
  const f = (n: number): number => Number(rest[n - 3]);
  const hz = clockTicks();
  return { pid, ppid: f(4), cpu: (f(14) + f(15)) / hz, childrenCpu: (f(16) + f(17)) / hz, threads: f(20) };
}

/** The pid and all its live descendants (one scan of /proc). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = procStat(Number(name));
    if (!st) continue;
    const list = children.get(st.ppid) ?? [];
    list.push(st.pid);
    children.set(st.ppid, list);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0 && out.length < 10_000) {
    const pid = todo.pop() as number;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

/**
 * CPU seconds used so far by `root` and its live descendants (plus the
 * children `root` has reaped). Take it before and after a run; the
 * difference is the server's CPU for that run.
 */
export function treeCpuSeconds(root: number): number {
  const rootStat = procStat(root);
  if (!rootStat) throw new Error(`process ${root} is gone`);
  let sum = rootStat.cpu + rootStat.childrenCpu;
  for (const pid of processTree(root)) if (pid !== root) sum += procStat(pid)?.cpu ?? 0;
  return sum;
}

/** `Cpus_allowed_list` of a process (e.g. "0" after `taskset -c 0`). */
export function allowedCpus(pid: number): string {
  const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] ?? '?';
}

/** `comm` of a process (the executable's short name). */
export function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** argv prefix that runs a command pinned to one CPU. */
export function pinned(cpu: number, cmd: string, args: string[]): [string, string[]] {
  return ['taskset', ['-c', String(cpu), cmd, ...args]];
}

/** Socket inodes listening on 127.0.0.1/0.0.0.0/:: port `port`. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // sl local_address rem_address st ... inode (column 9)
      if (cols.length < 10 || cols[3] !== '0A') continue;
      if (cols[1]?.split(':')[1] === hex && cols[9]) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** Which of `pids` hold a socket listening on `port`. */
export function listenerPids(port: number, pids: number[]): number[] {
  const inodes = listeningInodes(port);
  const out: number[] = [];
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds.slice(0, 100_000)) {
      let link = '';
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1] as string)) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}

/**
 * Wraps a command so that, after it exits, bash prints its CPU time with
 * `times` (the second line: user and system time of the shell's waited-for
 * children, i.e. the command). The exit code is the command's.
 */
export function withChildTimes(cmd: string, args: string[]): [string, string[]] {
  return ['bash', ['-c', '"$@"; rc=$?; times; exit $rc', 'bash', cmd, ...args]];
}

/** Parses the output of a `withChildTimes` command: the children's user + system seconds. */
export function parseChildTimes(output: string): number | undefined {
  const lines = [...output.matchAll(/^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/gm)];
  const last = lines[lines.length - 1];
  if (!last) return undefined;
  const [, um, us, sm, ss] = last.map(Number) as [number, number, number, number, number];
  return um * 60 + us + sm * 60 + ss;
}

// a free loopback port, and waiting until one accepts: the selftests' helpers
export { accepting, freePort } from '../../selftests/lib/ws-peers.js';

/** The tools (command -> Debian package) that are not on PATH. */
export function missingTools(tools: Record<string, string>): { cmd: string; pkg: string }[] {
  const missing: { cmd: string; pkg: string }[] = [];
  for (const [cmd, pkg] of Object.entries(tools)) {
    try {
      execFileSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' });
    } catch {
      missing.push({ cmd, pkg });
    }
  }
  return missing;
}

/** Number of CPUs this process may run on (`nproc`). */
export function onlineCpus(): number {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || 1;
  } catch {
    return 1;
  }
}

/** Build `out` from the C file `src` with gcc -O2 unless it exists and is newer. */
export function buildC(out: string, src: string, libs: string[] = []): void {
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) return;
  mkdirSync(dirname(out), { recursive: true });
  console.log(`building ${out}`);
  execFileSync('gcc', ['-O2', '-Wall', '-o', out, src, ...libs], { stdio: 'inherit' });
}
