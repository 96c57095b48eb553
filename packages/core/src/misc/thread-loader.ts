/*
 * Starting a worker thread on a module that may be TypeScript. Node 20 cannot
 * load `.ts` in a worker, and a worker does not inherit the main thread's
 * loader hooks; run from source (the workspace exports `src/*.ts`), the worker
 * boots from a small `data:` module that registers tsx and then imports the
 * real entry. Built (`dist/*.js`) entries start directly.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

let tsxApi: string | undefined;

/** The file URL of tsx's ESM register API, found from this package's location. */
function tsxApiUrl(): string {
  if (tsxApi) return tsxApi;
  const req = createRequire(import.meta.url);
  let pkgJson: string;
  try {
    pkgJson = req.resolve('tsx/package.json');
  } catch (cause) {
    throw new Error('Cannot start a TypeScript worker module: tsx is not installed (npm i -D tsx)', { cause });
  }
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const rel = pkg.exports['./esm/api']?.import.default;
  if (!rel) throw new Error(`Cannot start a TypeScript worker module: ${pkgJson} has no ./esm/api export`);
  tsxApi = pathToFileURL(join(dirname(pkgJson), rel)).href;
  return tsxApi;
}

/** True for module URLs Node 20 cannot import in a worker without a loader. */
export function isTypeScriptModule(url: URL | string): boolean {
  return /\.[mc]?ts$/.test(typeof url === 'string' ? url : url.pathname);
}

/**
 * The URL to give `new Worker()` for `entry`: itself, or for a `.ts` entry a
 * `data:` module that registers tsx and imports it.
 *
 * @example
 * ```ts
 * const worker = new Worker(threadEntry(new URL('./thread-host.ts', import.meta.url)));
 * ```
 */
export function threadEntry(entry: URL): URL {
  if (!isTypeScriptModule(entry)) return entry;
  const code = `const { register } = await import(${JSON.stringify(tsxApiUrl())});\nregister();\nawait import(${JSON.stringify(entry.href)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/**
 * Start a worker thread on `entry`, TypeScript or not.
 *
 * @example
 * ```ts
 * const w = startThread(new URL('./spam.ts', import.meta.url), { workerData: { tid: 1 } });
 * ```
 */
export function startThread(entry: URL, opts: WorkerOptions = {}): Worker {
  return new Worker(threadEntry(entry), opts);
}
