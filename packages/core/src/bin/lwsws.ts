#!/usr/bin/env tsx
/*
 * lwsws: the lws web server. Serves a directory with every static feature
 * (ranges, validators, compression, security headers), or runs vhosts,
 * mounts (file, callback protocol from a plugin module, redirect) and headers
 * from a JSON config. One access-log line per request at info (-d 1039).
 *
 *   lwsws --root DIR --port N [--iface ADDR] [--tls --cert C --key K] [-d MASK]
 *   lwsws --config FILE [-d MASK]
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createContext, type Context } from '../context/context.js';
import { DEFAULT_LOG_LEVEL, log } from '../context/log.js';
import type { Protocol } from '../context/protocol.js';
import type { VhostOptions } from '../context/vhost.js';
import type { Mount } from '../http/mount.js';
import { SECURITY_HEADERS } from '../http/security-headers.js';
import { cmdline } from '../misc/cmdline.js';

/** A mount in the config file: `kind` defaults to `file`; a callback mount may name the plugin that has its protocol. */
type ConfigMount = Mount & { plugin?: string };

/** A vhost in the config file; paths are relative to the config file. */
interface ConfigVhost extends Omit<VhostOptions, 'mounts' | 'protocols' | 'headers'> {
  mounts?: ConfigMount[];
  /** Module paths whose default export is a protocol (or an array of them). */
  plugins?: string[];
  /** Extra headers, as pairs or an object; `"security": true` adds lws's security headers first. */
  headers?: [string, string][] | Record<string, string>;
  security?: boolean;
}

interface Config {
  vhosts: ConfigVhost[];
}

const USAGE = 'usage: lwsws --root DIR --port N [--iface ADDR] [--tls --cert C --key K] [-d MASK] | lwsws --config FILE [-d MASK]';

async function loadPlugin(path: string): Promise<Protocol[]> {
  const mod = (await import(pathToFileURL(path).href)) as { default?: Protocol | Protocol[] };
  const d = mod.default;
  if (!d) throw new TypeError(`Cannot load plugin ${path}: it has no default export`);
  return Array.isArray(d) ? d : [d];
}

async function vhostFromConfig(v: ConfigVhost, base: string): Promise<VhostOptions> {
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  const protocols: Protocol[] = [];
  const pluginPaths = [...(v.plugins ?? []), ...(v.mounts ?? []).flatMap((m) => (m.plugin ? [m.plugin] : []))];
  for (const p of new Set(pluginPaths)) {
    for (const proto of await loadPlugin(at(p))) if (!protocols.some((x) => x.name === proto.name)) protocols.push(proto);
  }
  const mounts: Mount[] = (v.mounts ?? []).map((raw) => {
    const { plugin: _plugin, ...m } = raw;
    const kind = m.kind ?? 'file';
    if (kind === 'file') {
      const f = m as Extract<Mount, { kind: 'file' }>;
      const basicAuth = f.basicAuth?.credentialsFile ? { ...f.basicAuth, credentialsFile: at(f.basicAuth.credentialsFile) } : f.basicAuth;
      return { ...f, kind, origin: at(f.origin), ...(basicAuth ? { basicAuth } : {}) };
    }
    return { ...m, kind } as Mount;
  });
  const own = Array.isArray(v.headers) ? v.headers : Object.entries(v.headers ?? {});
  const headers: [string, string][] = [...(v.security === false ? [] : SECURITY_HEADERS.map((h): [string, string] => [h[0], h[1]])), ...own];
  const tls = v.tls ? { ...v.tls, cert: at(String(v.tls.cert)), key: at(String(v.tls.key)) } : undefined;
  const { plugins: _p, security: _s, ...rest } = v;
  return { ...rest, ...(tls ? { tls } : {}), protocols, mounts, headers };
}

function vhostsFromArgs(): VhostOptions[] {
  const root = cmdline.str('--root', '');
  if (root === '') throw new TypeError(`Cannot start lwsws: give --root or --config\n${USAGE}`);
  const tls = cmdline.has('--tls') ? { cert: cmdline.str('--cert', ''), key: cmdline.str('--key', '') } : undefined;
  if (tls && (tls.cert === '' || tls.key === '')) throw new TypeError(`Cannot start lwsws: --tls needs --cert and --key\n${USAGE}`);
  return [
    {
      name: 'localhost',
      port: cmdline.int('--port', 7681),
      iface: cmdline.str('--iface', '127.0.0.1'),
      ...(tls ? { tls } : {}),
      headers: SECURITY_HEADERS,
      // the directory's own 404.html, when it has one, is the 404 page
      ...(existsSync(join(root, '404.html')) ? { errorPages: { 404: '/404.html' } } : {}),
      mounts: [{ kind: 'file', mountpoint: '/', origin: resolve(root), def: 'index.html' }],
    },
  ];
}

async function main(): Promise<Context> {
  const configPath = cmdline.str('--config', '');
  let vhosts: VhostOptions[];
  if (configPath !== '') {
    const cfg = JSON.parse(readFileSync(configPath, 'utf8')) as Config;
    if (!Array.isArray(cfg.vhosts) || cfg.vhosts.length === 0) throw new TypeError(`Cannot read ${configPath}: "vhosts" must be a non-empty array`);
    const base = dirname(resolve(configPath));
    vhosts = await Promise.all(cfg.vhosts.map((v) => vhostFromConfig(v, base)));
  } else {
    vhosts = vhostsFromArgs();
  }
  const context = await createContext({ logLevel: cmdline.int('-d', DEFAULT_LOG_LEVEL), vhosts });
  for (const v of context.vhosts) {
    if (v.port === undefined) continue;
    log.user(`lwsws | vhost ${v.name} at ${v.tlsPem ? 'https' : 'http'}://127.0.0.1:${v.port}`);
  }
  return context;
}

try {
  const context = await main();
  process.once('SIGINT', () => void context.destroy());
  process.once('SIGTERM', () => void context.destroy());
} catch (err) {
  log.err(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
