/*
 * Debian's nginx as an independent http/1.1 peer: a temp prefix dir with
 * its own nginx.conf, docroot, pid, logs and temp paths; listens on
 * 127.0.0.1 only; started in the foreground (`daemon off`) and stopped by
 * pid. Ready when it logs that its worker started.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { start, type Running } from '../lib/processes.js';

export interface Nginx {
  port: number;
  dir: string;
  url: string;
  running: Running;
  stop(): Promise<void>;
}

export interface NginxOptions {
  /** Files under the docroot, by relative path. */
  files?: Record<string, string | Buffer>;
  /** Directives inside `http { }`. */
  http?: string;
  /** Directives inside `server { }` (locations...). */
  server?: string;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export async function startNginx(opts: NginxOptions = {}): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'lws-nginx-'));
  chmodSync(dir, 0o755); // workers run as nobody when we are root
  const root = join(dir, 'root');
  mkdirSync(root);
  for (const [rel, data] of Object.entries(opts.files ?? {})) {
    const file = join(root, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, data);
  }
  const port = await freePort();
  const conf = `
error_log stderr notice;
pid ${dir}/nginx.pid;
worker_processes 1;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  default_type application/octet-stream;
  types { text/html html; text/plain txt; image/svg+xml svg; }
  ${opts.http ?? ''}
  server {
    listen 127.0.0.1:${port};
    root ${root};
    ${opts.server ?? ''}
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const running = start('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;']);
  try {
    await running.waitFor(/start worker process/, 10_000);
  } catch (err) {
    await running.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    dir,
    url: `http://127.0.0.1:${port}`,
    running,
    async stop() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
