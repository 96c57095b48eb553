/*
 * Declaring and running example pairs: a server example started with
 * `--port 0`, its URL read from its first `USER:` line, then a client
 * example (or a scripted peer) run against it with a bounded timeout.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, run, start, type Running } from './processes.js';

const TSX_IMPORT = ['--import', 'tsx'];

/** Path of an example package, e.g. `http-server/minimal-http-server`. */
export function exampleDir(example: string): string {
  const dir = join(REPO_ROOT, 'minimal-examples', example);
  if (!existsSync(join(dir, 'main.ts'))) throw new Error(`No example at ${dir}`);
  return dir;
}

export interface StartedServer {
  running: Running;
  /** The URL the example printed, e.g. `http://127.0.0.1:40123`. */
  url: string;
}

/** Start a server example on a free port and wait until it prints its URL. */
export async function startServerExample(example: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<StartedServer> {
  const dir = exampleDir(example);
  const running = start(process.execPath, [...TSX_IMPORT, 'main.ts', '--port', '0', ...args], { cwd: dir, env });
  // the newline proves the whole URL has arrived, not a prefix of it
  const m = await running.waitFor(/USER: .*?((?:https?|wss?):\/\/[^\s]+)[^\n]*\n/, 20_000);
  return { running, url: m[1] as string };
}

/** Run a client example to completion; lws clients end with `Completed: OK` or `Completed: failed`. */
export async function runClientExample(example: string, args: string[], ms = 30_000, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string; ok: boolean }> {
  const dir = exampleDir(example);
  const r = await run(process.execPath, [...TSX_IMPORT, 'main.ts', ...args], ms, { cwd: dir, env });
  return { ...r, ok: r.code === 0 && /Completed: OK/.test(r.output) };
}
