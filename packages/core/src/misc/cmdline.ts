/*
 * Command-line options for the examples (lws_cmdline_option): look an
 * option up by name in process.argv. `--port 0` picks a free port.
 */

function argv(): string[] {
  return process.argv.slice(2);
}

function valueOf(name: string): string | undefined {
  const a = argv();
  for (let i = 0; i < a.length; i++) {
    const v = a[i] as string;
    if (v === name) return a[i + 1];
    if (v.startsWith(name + '=')) return v.slice(name.length + 1);
  }
  return undefined;
}

/**
 * Read example options from the command line.
 *
 * @example
 * ```ts
 * const port = cmdline.int('--port', 7681);
 * const tls = cmdline.has('-s');
 * ```
 */
export const cmdline = {
  /** True when the flag is present. */
  has(name: string): boolean {
    return argv().some((v) => v === name || v.startsWith(name + '='));
  },
  /** The string after the option, or the default. */
  str(name: string, def: string): string {
    return valueOf(name) ?? def;
  },
  /** The integer after the option, or the default; a non-integer exits with a message. */
  int(name: string, def: number): number {
    const v = valueOf(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new RangeError(`Cannot read option ${name}: "${v}" is not an integer`);
    return n;
  },
};
