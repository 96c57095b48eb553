/*
 * Basic auth: header parsing, credentials files, callbacks, and the 401
 * challenge.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BasicAuth, parseBasicAuthorization, parseCredentials } from '../../src/http/basic-auth.js';

const dir = mkdtempSync(join(tmpdir(), 'lws-ba-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('parseBasicAuthorization', () => {
  it('decodes user and password, the password may hold colons', () => {
    expect(parseBasicAuthorization(`Basic ${b64('user:pa:ss')}`)).toEqual({ user: 'user', password: 'pa:ss' });
    expect(parseBasicAuthorization(`basic   ${b64('u:')}`)).toEqual({ user: 'u', password: '' });
  });

  it.each([
    ['absent', undefined],
    ['another scheme', `Bearer ${b64('a:b')}`],
    ['no colon', `Basic ${b64('nocolon')}`],
    ['not base64', 'Basic !!!'],
    ['a control byte', `Basic ${b64('a:b\x00')}`],
    ['too long', `Basic ${'A'.repeat(5000)}`],
  ])('refuses %s', (_what, h) => {
    expect(parseBasicAuthorization(h)).toBeUndefined();
  });
});

describe('BasicAuth', () => {
  const file = join(dir, 'passwords');
  writeFileSync(file, '# users\nalice:wonderland\nbob:builder\n');

  it('accepts a line of the credentials file and nothing else', async () => {
    const a = new BasicAuth({ realm: 'lws', credentialsFile: file });
    expect(await a.check(`Basic ${b64('alice:wonderland')}`)).toBe('alice');
    expect(await a.check(`Basic ${b64('bob:builder')}`)).toBe('bob');
    expect(await a.check(`Basic ${b64('alice:builder')}`)).toBeUndefined();
    expect(await a.check(`Basic ${b64('alice:wonderland ')}`)).toBeUndefined();
    expect(await a.check(undefined)).toBeUndefined();
  });

  it('asks the verify callback', async () => {
    const a = new BasicAuth({ realm: 'lws', verify: (u, p) => u === 'x' && p === 'y' });
    expect(await a.check(`Basic ${b64('x:y')}`)).toBe('x');
    expect(await a.check(`Basic ${b64('x:z')}`)).toBeUndefined();
  });

  it('challenges with the realm', () => {
    expect(new BasicAuth({ realm: 'my realm', verify: () => false }).challenge()).toEqual(['www-authenticate', 'Basic realm="my realm", charset="UTF-8"']);
  });

  it('throws TypeError on a bad realm or no credential source', () => {
    expect(() => new BasicAuth({ realm: 'a"b', verify: () => true })).toThrow(new TypeError('Cannot set up basic auth: realm "a\\"b" must be printable ASCII without quotes or backslashes'));
    expect(() => new BasicAuth({ realm: 'r' })).toThrow(new TypeError('Cannot set up basic auth: give a credentialsFile or a verify callback'));
  });

  it('refuses a credentials line without a colon', () => {
    expect(() => parseCredentials('alice\n')).toThrow(new TypeError('Cannot read credentials: line "alice" is not "user:password"'));
  });
});
