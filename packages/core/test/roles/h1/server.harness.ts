/*
 * Helpers for the h1 server tests: a raw socket client over 127.0.0.1 that
 * collects what the server sends until it closes, and a response splitter.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

export interface Conn {
  sock: Socket;
  /** Everything received so far. */
  data(): Buffer;
  /** Resolves when `re` matches the latin1 text received, rejects after `ms`. */
  waitFor(re: RegExp, ms?: number): Promise<void>;
  /** Resolves with the ms until the server closed, rejects after `ms`. */
  closed(ms?: number): Promise<number>;
}

const open = new Set<Socket>();

/** Connect and collect. */
export async function dial(port: number): Promise<Conn> {
  const sock = connect(port, '127.0.0.1');
  open.add(sock);
  const chunks: Buffer[] = [];
  const t0 = Date.now();
  let closedAt: number | undefined;
  const watchers = new Set<() => void>();
  sock.on('data', (b: Buffer) => {
    chunks.push(b);
    for (const w of watchers) w();
  });
  sock.on('error', () => {});
  sock.on('close', () => {
    closedAt = Date.now();
    for (const w of watchers) w();
  });
  await once(sock, 'connect');
  const wait = (ok: () => boolean, what: string, ms: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!ok()) return;
        watchers.delete(check);
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(() => {
        watchers.delete(check);
        reject(new Error(`Timed out after ${ms} ms waiting for ${what}; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 400))}`));
      }, ms);
      watchers.add(check);
      check();
    });
  return {
    sock,
    data: () => Buffer.concat(chunks),
    waitFor: (re, ms = 4000) => wait(() => re.test(Buffer.concat(chunks).toString('latin1')), String(re), ms),
    closed: async (ms = 4000) => {
      await wait(() => closedAt !== undefined, 'close', ms);
      return (closedAt as number) - t0;
    },
  };
}

/** Send `bytes` on a new connection and return all the server sent until it closed. */
export async function exchange(port: number, bytes: string | Buffer, ms = 4000): Promise<string> {
  const c = await dial(port);
  c.sock.write(bytes);
  await c.closed(ms);
  return c.data().toString('latin1');
}

/** The status codes of every status line in `text`. */
export function statusesOf(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
}

/** Destroy every socket the helpers opened (afterEach). */
export function closeAll(): void {
  for (const s of open) s.destroy();
  open.clear();
}
