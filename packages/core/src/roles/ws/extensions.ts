/*
 * Sec-WebSocket-Extensions header values (RFC 6455 §9.1): parsing into
 * extensions with ordered parameters, and formatting them back.
 *
 *   extension-list = 1#extension
 *   extension      = extension-token *( ";" extension-param )
 *   extension-param = token [ "=" (token | quoted-string) ]
 */
import { LwsError } from '../../errors.js';

/** One extension of the header, parameters in order (duplicates kept for the caller to judge). */
export interface WsExtension {
  /** Lower-cased extension token, e.g. `permessage-deflate`. */
  name: string;
  /** `[lower-cased name, value]`; `true` when the parameter has no value. */
  params: [string, string | true][];
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
const QUOTED = /"((?:[^"\\]|\\.)*)"/y;
const OWS = /[ \t]*/y;

class Scanner {
  readonly text: string;
  pos = 0;
  constructor(text: string) {
    this.text = text;
  }
  match(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (m) this.pos = re.lastIndex;
    return m;
  }
  skipSpace(): void {
    this.match(OWS);
  }
  peek(): string | undefined {
    return this.text[this.pos];
  }
  fail(what: string): LwsError {
    const seen = this.pos < this.text.length ? `"${this.text[this.pos]}" at ${this.pos}` : 'end of value';
    return new LwsError(
      'LWS_ERR_WS_HANDSHAKE_EXTENSION',
      `Cannot parse Sec-WebSocket-Extensions: expected ${what}, found ${seen} in "${this.text}"`,
      { status: 400 },
    );
  }
}

function parseValue(s: Scanner): string | LwsError {
  const token = s.match(TOKEN);
  if (token) return token[0];
  const quoted = s.match(QUOTED);
  if (!quoted) return s.fail('a token or quoted string');
  const value = quoted[1]!.replace(/\\(.)/g, '$1');
  // RFC 6455 §9.1: an unescaped quoted value must still be a token.
  TOKEN.lastIndex = 0;
  const m = TOKEN.exec(value);
  if (!m || m[0] !== value) return s.fail('a token inside the quoted string');
  return value;
}

function parseOne(s: Scanner): WsExtension | LwsError {
  const name = s.match(TOKEN);
  if (!name) return s.fail('an extension token');
  const ext: WsExtension = { name: name[0].toLowerCase(), params: [] };
  for (;;) {
    s.skipSpace();
    if (s.peek() !== ';') return ext;
    s.pos++;
    s.skipSpace();
    const param = s.match(TOKEN);
    if (!param) return s.fail('a parameter name');
    s.skipSpace();
    let value: string | true = true;
    if (s.peek() === '=') {
      s.pos++;
      s.skipSpace();
      const v = parseValue(s);
      if (v instanceof LwsError) return v;
      value = v;
    }
    ext.params.push([param[0].toLowerCase(), value]);
  }
}

/**
 * Parses a Sec-WebSocket-Extensions value (several header lines joined with
 * ", "). Empty list elements are skipped (RFC 9110 §5.6.1). Returns an
 * LwsError (status 400) for a syntax error; never throws.
 */
export function parseExtensions(value: string): WsExtension[] | LwsError {
  const s = new Scanner(value);
  const out: WsExtension[] = [];
  for (;;) {
    s.skipSpace();
    if (s.pos >= value.length) return out;
    if (s.peek() === ',') {
      s.pos++;
      continue;
    }
    const ext = parseOne(s);
    if (ext instanceof LwsError) return ext;
    out.push(ext);
    s.skipSpace();
    if (s.pos < value.length && s.peek() !== ',') return s.fail('"," or ";"');
  }
}

/** Formats one extension for a header: `permessage-deflate; client_max_window_bits=10`. */
export function formatExtension(ext: WsExtension): string {
  let out = ext.name;
  for (const [name, value] of ext.params) out += value === true ? `; ${name}` : `; ${name}=${value}`;
  return out;
}
