/*
 * lws-minimal-http-server-form-post-file: the upload protocol
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Parses a multipart form as it streams in (lws_spa) and writes its file
 * part straight to the upload directory, never holding the file in memory.
 * Disk writes in flight are bounded: past the saver's limit we stop reading
 * from the client (rx flow control) until the disk catches up. A file over
 * the size limit is refused with 413 and nothing is left on disk.
 */
import { defineProtocol, log, Spa, SpaFileSaver, type LwsError, type Protocol, type Wsi } from '@lws/core';

/** The fields the form sends (lws_spa param names). */
export const PARAM_NAMES = ['text1', 'send', 'file'] as const;

export interface UploadOptions {
  /** Existing directory the files are saved in. */
  uploadDir: string;
  /** Largest file accepted, bytes. */
  maxFileBytes: number;
}

interface Pss {
  spa: Spa | undefined;
  saver: SpaFileSaver | undefined;
  answered: boolean;
  /** The upload completed and was answered: keep its files. */
  done: boolean;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(rows: [string, string][]): Buffer {
  const dl = rows.map(([k, v]) => `    <dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>\n`).join('');
  return Buffer.from(`<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Upload results</title>
  <link rel="icon" href="favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="example.css">
</head>
<body>
  <h1>Upload results</h1>
  <dl id="results">
${dl}  </dl>
  <p><a href="./">Back to the form</a></p>
</body>
</html>
`);
}

function fail(wsi: Wsi, pss: Pss, err: LwsError): void {
  if (pss.answered) return;
  pss.answered = true;
  if (!wsi.closed) wsi.respondText(err.wire.status ?? 400, `${err.message}\n`);
  // delete whatever this upload wrote, then say so
  const removing = pss.saver?.abort() ?? Promise.resolve();
  void removing.then(() => log.notice(`upload refused: ${err.message}; nothing kept`));
}

async function finish(wsi: Wsi, pss: Pss, spa: Spa, saver: SpaFileSaver): Promise<void> {
  let saved;
  try {
    saved = await saver.settled();
  } catch (err) {
    return fail(wsi, pss, err as LwsError);
  }
  if (wsi.closed) return void saver.abort();
  const rows: [string, string][] = [['text1', spa.get('text1') ?? '(not sent)']];
  for (const f of saved) {
    log.user(`file: '${f.filename}', ${f.size} bytes, saved as ${f.path}`);
    rows.push(['file', `${f.filename}, ${f.size} bytes`]);
  }
  if (saved.length === 0) rows.push(['file', '(none)']);
  pss.answered = true;
  pss.done = true;
  const body = page(rows);
  wsi.respond({ status: 200, contentType: 'text/html; charset=utf-8', contentLength: body.length, headers: [['cache-control', 'no-store']] });
  wsi.write(body, 'http-final');
}

/** The protocol, saving into `opts.uploadDir`. */
export function uploadProtocol(opts: UploadOptions): Protocol<Pss> {
  return defineProtocol<Pss>({
    name: 'http',
    newPss: () => ({ spa: undefined, saver: undefined, answered: false, done: false }),

    http(wsi, pss, req) {
      Object.assign(pss, { spa: undefined, saver: undefined, answered: false, done: false });
      if (req.method !== 'POST') {
        pss.answered = true;
        wsi.respond({ status: 405, contentType: 'text/plain; charset=utf-8', contentLength: 19, headers: [['allow', 'POST']] });
        wsi.write('Use POST to upload\n', 'http-final');
        return;
      }
      const saver = new SpaFileSaver({ dir: opts.uploadDir, onPressure: (backedUp) => wsi.rxFlowControl(!backedUp) });
      pss.saver = saver;
      pss.spa = Spa.forRequest(req, {
        params: PARAM_NAMES,
        maxFields: 3,
        maxFileBytes: opts.maxFileBytes,
        maxTotalBytes: opts.maxFileBytes + 16 * 1024, // the file plus its headers and the other fields
        onFile: (info) => saver.open(info),
      });
      if (pss.spa.error) fail(wsi, pss, pss.spa.error);
    },

    httpBody(wsi, pss, chunk) {
      if (pss.answered || !pss.spa) return; // refused already: the rest is only drained
      if (!pss.spa.write(chunk)) fail(wsi, pss, pss.spa.error as LwsError);
    },

    httpBodyCompletion(wsi, pss) {
      const { spa, saver } = pss;
      if (pss.answered || !spa || !saver) return;
      if (!spa.end()) return fail(wsi, pss, spa.error as LwsError);
      void finish(wsi, pss, spa, saver);
    },

    closedHttp(_wsi, pss) {
      if (pss.done || !pss.saver) return;
      pss.spa?.abort();
      const refused = pss.answered;
      void pss.saver.abort().then(() => {
        if (!refused) log.notice('upload abandoned by the client; nothing kept');
      });
    },
  });
}
