// Builds the addon with node-gyp. With --soft (the install hook) a failed
// build only warns: @lws/native then runs its pure-TypeScript fallback.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const soft = process.argv.includes('--soft');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let gyp;
try {
  gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
} catch {
  // installed from a tarball: no devDependencies, but npm hands its own node-gyp to install scripts
  gyp = process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp) ? process.env.npm_config_node_gyp : null;
}
// Run outside npm/pnpm (no npm_config_nodedir), node-gyp would download the
// headers; build offline against the running Node's own headers when installed.
function localNodedir() {
  if (process.env.npm_config_nodedir) return null;
  const prefixes = [process.config.variables.node_prefix, dirname(dirname(process.execPath))];
  for (const prefix of prefixes) {
    const versionH = prefix && join(prefix, 'include', 'node', 'node_version.h');
    if (!versionH || !existsSync(versionH)) continue;
    const h = readFileSync(versionH, 'utf8');
    const part = (name) => h.match(new RegExp(`#define NODE_${name}_VERSION (\\d+)`))?.[1];
    if (`v${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}` === process.version) return prefix;
  }
  return null;
}
const nodedir = localNodedir();
const args = [gyp, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const r = gyp
  ? spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' })
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
