/*
 * lws-minimal-http-server-form-post-file
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Serves ./mount-origin with an upload form that POSTs multipart/form-data
 * to /formdest. The protocol streams the file part to the upload directory
 * as it arrives (lws_spa with a file callback) and reports its name and
 * size; a file over --max-file bytes gets 413 and leaves nothing on disk.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, log, SECURITY_HEADERS } from '@lws/core';
import { uploadProtocol } from './protocol-form-post-file.ts';

const uploadDir = cmdline.str('--upload-dir', join(tmpdir(), 'lws-minimal-http-server-form-post-file'));
const maxFileBytes = cmdline.int('--max-file', 256 * 1024);
mkdirSync(uploadDir, { recursive: true });

const context = await createContext({
  port: cmdline.int('--port', 7681),
  iface: cmdline.str('--iface', '127.0.0.1'),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  headers: SECURITY_HEADERS,
  // the connection may carry a little more than the form parser accepts, so
  // an oversized file is refused by the parser with its own message
  http: { maxBodyBytes: maxFileBytes + 64 * 1024 },
  protocols: [uploadProtocol({ uploadDir, maxFileBytes })],
  mounts: [
    { kind: 'callback', mountpoint: '/formdest', protocol: 'http' },
    {
      kind: 'file',
      mountpoint: '/',
      origin: fileURLToPath(new URL('./mount-origin', import.meta.url)),
      def: 'index.html',
    },
  ],
});

log.user(`LWS minimal http server POST file | visit http://127.0.0.1:${context.port}`);
log.user(`uploads go to ${uploadDir}, at most ${maxFileBytes} bytes each`);
process.once('SIGINT', () => void context.destroy());
process.once('SIGTERM', () => void context.destroy());
