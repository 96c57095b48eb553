/*
 * A module load hook for the benchmark server: our modules (the packages'
 * and bench's own, loaded after it is installed) come without the inline
 * source map that tsx appends to every module it transforms
 * (`//# sourceMappingURL=data:...`). With those comments, V8 in
 * Node 20-24 was seen running mark-compact GCs back to back under the ws
 * echo with 16 KiB messages (100+ a second, a third of the CPU), and
 * without them not (bench/README.md, "V8 and tsx's inline source maps").
 * The code run is the same; stack traces show the transformed JavaScript's
 * lines instead of the TypeScript's. Production runs a build, which has no
 * inline maps either.
 *
 * Chained after tsx's own hooks: registered later, it runs first and
 * strips what tsx's load returns. Node 22+ runs tsx's hooks in-thread
 * (module.registerHooks), Node 20 off-thread (module.register); ours goes
 * the same way.
 */
import module from 'node:module';

const MARK = '//# sourceMappingURL=data:';

/** Every module of ours (what tsx transforms), not dependencies. */
function strip(url, result) {
  if (!url.startsWith('file:') || url.includes('/node_modules/') || result.source == null) return result;
  const text = typeof result.source === 'string' ? result.source : Buffer.from(result.source).toString('utf8');
  const at = text.lastIndexOf(MARK);
  return at < 0 ? result : { ...result, source: text.slice(0, at) };
}

/** Off-thread hook (Node 20's module.register). */
export async function load(url, context, nextLoad) {
  return strip(url, await nextLoad(url, context));
}

/** Installs the hook the way this Node runs tsx's. */
export function installNoInlineMaps() {
  if (typeof module.registerHooks === 'function') {
    module.registerHooks({ load: (url, context, nextLoad) => strip(url, nextLoad(url, context)) });
  } else {
    module.register(import.meta.url);
  }
}
