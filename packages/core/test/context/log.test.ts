import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LOG_LEVEL, log, LogLevel, logEnabled, setLogEmitter, setLogLevel } from '../../src/context/log.js';

describe('log', () => {
  let prev = DEFAULT_LOG_LEVEL;
  afterEach(() => {
    setLogLevel(prev);
    setLogEmitter();
  });

  it('emits only the levels in the mask, in lws format', () => {
    const lines: string[] = [];
    prev = setLogLevel(LogLevel.ERR | LogLevel.USER, (_l, line) => lines.push(line));
    log.user('hello', 42);
    log.notice('not shown');
    log.err(new Error('bad thing'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}:\d{4}\] USER: hello 42$/);
    expect(lines[1]).toMatch(/ ERR: bad thing$/);
  });

  it('uses lws bit values so -d masks mean the same thing', () => {
    expect(LogLevel).toMatchObject({ ERR: 1, WARN: 2, NOTICE: 4, INFO: 8, DEBUG: 16, USER: 1024 });
    expect(DEFAULT_LOG_LEVEL).toBe(1031);
  });

  it('reports whether a level is enabled', () => {
    prev = setLogLevel(LogLevel.INFO);
    expect(logEnabled(LogLevel.INFO)).toBe(true);
    expect(logEnabled(LogLevel.DEBUG)).toBe(false);
  });

  it('refuses a negative mask', () => {
    expect(() => setLogLevel(-1)).toThrow(new RangeError('Cannot set log level: -1 is not a non-negative integer'));
  });
});
