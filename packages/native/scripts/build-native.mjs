// Builds the addon with node-gyp. With --soft (the install hook) a failed
// build only warns: @lws/native then runs its pure-TypeScript fallback.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const soft = process.argv.includes('--soft');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let gyp;
try {
  gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
} catch {
  gyp = null;
}
const r = gyp
  ? spawnSync(process.execPath, [gyp, 'rebuild'], { cwd: root, stdio: 'inherit' })
  : { status: 1, error: new Error('node-gyp is not installed') };
if (r.status !== 0) {
  const why = r.error ? r.error.message : `node-gyp exited with ${r.status}`;
  if (soft) {
    console.warn(`@lws/native: native build failed (${why}); the TypeScript fallback will be used`);
    process.exit(0);
  }
  console.error(`@lws/native: native build failed: ${why}. Needs python3, make and g++ (apt-get install python3 make g++)`);
  process.exit(1);
}
