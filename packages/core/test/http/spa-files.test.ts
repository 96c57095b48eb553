/*
 * SpaFileSaver: file parts land on disk under a safe name only once
 * complete; aborted or failed uploads leave nothing behind; writes in
 * flight are bounded by maxPendingBytes through onPressure.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeHttpRequest } from '../../src/http/request.js';
import { safeUploadName, SpaFileSaver } from '../../src/http/spa-files.js';
import { Spa } from '../../src/http/spa.js';

const B = 'bnd';
const req = makeHttpRequest('POST', '/up', '1.1', [['content-type', `multipart/form-data; boundary=${B}`]]);
const head = (name: string, filename: string): Buffer =>
  Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\n\r\n`);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lws-spa-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SpaFileSaver', () => {
  it('saves a streamed file under its safe name, with its exact bytes', async () => {
    const saver = new SpaFileSaver({ dir });
    const spa = Spa.forRequest(req, { onFile: (f) => saver.open(f) });
    const data = Buffer.alloc(200_000, 'abcdefgh');
    spa.write(head('file', '../my file.txt'));
    for (let i = 0; i < data.length; i += 7000) spa.write(data.subarray(i, i + 7000));
    spa.write(Buffer.from(`\r\n--${B}--\r\n`));
    expect(spa.end()).toBe(true);
    const saved = await saver.settled();
    expect(saved).toEqual([{ name: 'file', filename: 'my file.txt', contentType: 'text/plain', size: 200_000, path: join(dir, 'my_file.txt') }]);
    expect(readFileSync(join(dir, 'my_file.txt')).equals(data)).toBe(true);
    expect(readdirSync(dir)).toEqual(['my_file.txt']);
  });

  it('leaves nothing on disk when the file is over the limit', async () => {
    const saver = new SpaFileSaver({ dir });
    const spa = Spa.forRequest(req, { maxFileBytes: 1000, onFile: (f) => saver.open(f) });
    spa.write(head('file', 'big.bin'));
    spa.write(Buffer.alloc(600));
    expect(spa.write(Buffer.alloc(600))).toBe(false);
    expect(spa.error?.code).toBe('LWS_ERR_SPA_FILE_TOO_LARGE');
    expect(await saver.settled()).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('abort() removes files already saved by the same upload', async () => {
    const saver = new SpaFileSaver({ dir });
    const spa = Spa.forRequest(req, { onFile: (f) => saver.open(f) });
    spa.write(Buffer.concat([head('a', 'one.txt'), Buffer.from(`1\r\n`), head('b', 'two.txt').subarray(0)]));
    await new Promise((r) => setImmediate(r));
    await saver.abort();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports LWS_ERR_SPA_SAVE (500) when the directory does not exist', async () => {
    const saver = new SpaFileSaver({ dir: join(dir, 'missing') });
    const spa = Spa.forRequest(req, { onFile: (f) => saver.open(f) });
    spa.write(Buffer.concat([head('f', 'a.txt'), Buffer.from(`x\r\n--${B}--`)]));
    expect(spa.end()).toBe(true);
    await expect(saver.settled()).rejects.toMatchObject({ code: 'LWS_ERR_SPA_SAVE', message: expect.stringMatching(/^Cannot save upload "a\.txt": Error: ENOENT/), wire: { status: 500 } });
  });

  it('signals back-pressure past maxPendingBytes and release once drained', async () => {
    const events: boolean[] = [];
    const saver = new SpaFileSaver({ dir, maxPendingBytes: 10_000, onPressure: (p) => void events.push(p) });
    const h = saver.open({ name: 'f', filename: 'p.bin', contentType: 'application/octet-stream' });
    for (let i = 0; i < 5; i++) h.data(Buffer.alloc(4000));
    expect(events).toEqual([true]);
    expect(saver.pendingBytes).toBe(20_000);
    h.end();
    await saver.settled();
    expect(events).toEqual([true, false]);
    expect(saver.pendingBytes).toBe(0);
  });

  it('makes safe names', () => {
    expect(safeUploadName('../../etc/pass wd')).toBe('pass_wd');
    expect(safeUploadName('..')).toBe('upload');
    expect(safeUploadName('.hidden')).toBe('hidden');
    expect(safeUploadName('C:\\x\\é.txt')).toBe('_.txt');
  });
});
