/*
 * Send raw bytes to a server and collect everything it sends back until it
 * closes (or a bounded time passes): for malformed-request checks, over TCP or TLS.
 */
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface RawExchange {
  response: Buffer;
  /** True when the server closed the connection; false when we gave up waiting. */
  closedByServer: boolean;
}

export function rawExchange(port: number, bytes: string | Buffer, opts: { ms?: number; host?: string; ca?: Buffer } = {}): Promise<RawExchange> {
  const ms = opts.ms ?? 5000;
  const host = opts.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = opts.ca
      ? tlsConnect({ port, host, ca: opts.ca, servername: 'localhost' }, () => s.write(bytes))
      : connect(port, host, () => s.write(bytes));
    const t = setTimeout(() => {
      s.destroy();
      resolve({ response: Buffer.concat(chunks), closedByServer: false });
    }, ms);
    s.on('data', (b) => chunks.push(b));
    s.on('error', (err) => {
      clearTimeout(t);
      if ((err as NodeJS.ErrnoException).code === 'ECONNRESET') resolve({ response: Buffer.concat(chunks), closedByServer: true });
      else reject(err);
    });
    s.on('close', () => {
      clearTimeout(t);
      resolve({ response: Buffer.concat(chunks), closedByServer: true });
    });
  });
}
