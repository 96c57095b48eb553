import { describe, expect, it } from 'vitest';
import { DEFAULT_CSP, SECURITY_HEADERS, mergeHeaders, validateHeader } from '../../src/http/security-headers.js';

function directives(csp: string): Map<string, string> {
  return new Map(
    csp.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')];
    }),
  );
}

describe('SECURITY_HEADERS', () => {
  it('is the expected frozen, lowercase list', () => {
    expect(SECURITY_HEADERS.map(([n]) => n)).toEqual([
      'content-security-policy',
      'x-content-type-options',
      'x-xss-protection',
      'x-frame-options',
      'referrer-policy',
    ]);
    expect(Object.fromEntries(SECURITY_HEADERS)).toMatchObject({
      'content-security-policy': DEFAULT_CSP,
      'x-content-type-options': 'nosniff',
      'x-xss-protection': '0',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    });
    expect(Object.isFrozen(SECURITY_HEADERS)).toBe(true);
    for (const pair of SECURITY_HEADERS) expect(Object.isFrozen(pair)).toBe(true);
    expect(() => (SECURITY_HEADERS as [string, string][]).push(['x', 'y'])).toThrow(TypeError);
  });

  it('passes its own validation', () => {
    for (const [n, v] of SECURITY_HEADERS) expect(() => validateHeader(n, v)).not.toThrow();
  });

  it('has a strict CSP: default none, same-origin resources, no inline or eval, no framing', () => {
    const d = directives(DEFAULT_CSP);
    expect(d.get('default-src')).toBe("'none'");
    expect(d.get('script-src')).toBe("'self'");
    expect(d.get('style-src')).toBe("'self'");
    expect(d.get('img-src')).toBe("'self' data:");
    expect(d.get('connect-src')).toBe("'self'");
    expect(d.get('frame-ancestors')).toBe("'none'");
    expect(d.get('base-uri')).toBe("'none'");
    expect(d.get('form-action')).toBe("'self'");
    expect(DEFAULT_CSP).not.toMatch(/unsafe|\*|http:|https:|ws:|wss:/);
    expect(DEFAULT_CSP).not.toMatch(/;\s*$/);
  });
});

describe('validateHeader', () => {
  it.each([
    ['x-ok', 'value'],
    ['X-Mixed-Case', 'a\tb'],
    ['!#$%&\'*+-.^_`|~09azAZ', ''],
    ['x-latin1', 'caf\u00e9'],
  ])('accepts %j: %j', (name, value) => {
    expect(() => validateHeader(name, value)).not.toThrow();
  });

  it.each([
    ['x-bad', 'a\r\nset-cookie: x=y', 'Cannot use header "x-bad": value contains CR at index 1'],
    ['x-bad', 'a\nb', 'Cannot use header "x-bad": value contains LF at index 1'],
    ['x-bad', 'a\0b', 'Cannot use header "x-bad": value contains NUL at index 1'],
    ['x-bad', 'a\x7fb', 'Cannot use header "x-bad": value contains character U+007F at index 1'],
    ['x-bad', 'a\x0bb', 'Cannot use header "x-bad": value contains character U+000B at index 1'],
    ['x-bad', 'snow\u2603', 'Cannot use header "x-bad": value contains character U+2603 at index 4'],
    ['x-bad', ' padded', 'Cannot use header "x-bad": value " padded" has leading or trailing whitespace'],
    ['x-bad', 'padded\t', 'Cannot use header "x-bad": value "padded\\t" has leading or trailing whitespace'],
    ['x bad', 'v', 'Cannot use header: name "x bad" is not an RFC 9110 token'],
    ['x-bad\r\n', 'v', 'Cannot use header: name "x-bad\\r\\n" is not an RFC 9110 token'],
    ['x:bad', 'v', 'Cannot use header: name "x:bad" is not an RFC 9110 token'],
    ['', 'v', 'Cannot use header: name "" is not an RFC 9110 token'],
    [':path', 'v', 'Cannot use header: name ":path" is not an RFC 9110 token'],
  ])('rejects %j: %j', (name, value, message) => {
    expect(() => validateHeader(name, value)).toThrow(new TypeError(message));
  });

  it('rejects non-strings', () => {
    expect(() => validateHeader(1 as unknown as string, 'v')).toThrow(TypeError);
    expect(() => validateHeader('x', 1 as unknown as string)).toThrow(new TypeError('Cannot use header "x": value is number, expected a string'));
  });
});

describe('mergeHeaders', () => {
  it('returns the base unchanged without extras, frozen', () => {
    const m = mergeHeaders(SECURITY_HEADERS);
    expect(m).toEqual(SECURITY_HEADERS);
    expect(Object.isFrozen(m)).toBe(true);
    expect(mergeHeaders(SECURITY_HEADERS, undefined)).toEqual(SECURITY_HEADERS);
  });

  it('overrides by lowercase name in the first position, later wins', () => {
    const m = mergeHeaders(SECURITY_HEADERS, [['Content-Security-Policy', "default-src 'self'"]], { 'X-Frame-Options': 'SAMEORIGIN' });
    expect(m[0]).toEqual(['content-security-policy', "default-src 'self'"]);
    expect(m[3]).toEqual(['x-frame-options', 'SAMEORIGIN']);
    expect(m).toHaveLength(SECURITY_HEADERS.length);
  });

  it('appends new headers in order', () => {
    const m = mergeHeaders(SECURITY_HEADERS, { 'strict-transport-security': 'max-age=15768000' }, [['x-a', '1'], ['x-b', '2'], ['X-A', '3']]);
    expect(m.slice(SECURITY_HEADERS.length)).toEqual([
      ['strict-transport-security', 'max-age=15768000'],
      ['x-a', '3'],
      ['x-b', '2'],
    ]);
  });

  it('removes a header given null, and can add it back later', () => {
    const m = mergeHeaders(SECURITY_HEADERS, { 'x-xss-protection': null, 'x-missing': null });
    expect(m.map(([n]) => n)).not.toContain('x-xss-protection');
    expect(m.map(([n]) => n)).not.toContain('x-missing');
    expect(mergeHeaders(SECURITY_HEADERS, { 'x-frame-options': null }, { 'X-Frame-Options': 'SAMEORIGIN' })).toContainEqual([
      'x-frame-options',
      'SAMEORIGIN',
    ]);
  });

  it('does not change its inputs', () => {
    const extra: [string, string][] = [['x-a', '1']];
    mergeHeaders(SECURITY_HEADERS, extra);
    expect(extra).toEqual([['x-a', '1']]);
    expect(SECURITY_HEADERS).toHaveLength(5);
  });

  it('validates every extra at the boundary with TypeError', () => {
    expect(() => mergeHeaders(SECURITY_HEADERS, { 'x-evil': 'a\r\nset-cookie: s=1' })).toThrow(
      new TypeError('Cannot use header "x-evil": value contains CR at index 1'),
    );
    expect(() => mergeHeaders([['bad name', 'v']])).toThrow(TypeError);
    expect(() => mergeHeaders({ 'bad name': null })).toThrow(TypeError);
    expect(() => mergeHeaders([['only-name'] as unknown as [string, string]])).toThrow(
      new TypeError('Cannot merge headers: ["only-name"] is not a [name, value] pair'),
    );
  });

  it('is not fooled by __proto__ keys', () => {
    const extra = JSON.parse('{"__proto__": "x"}') as Record<string, string>;
    expect(mergeHeaders(extra)).toEqual([['__proto__', 'x']]);
  });
});
