/*
 * resolveWsOptions: one frozen answer per vhost and protocol, shared by
 * their connections; protocol settings over vhost settings over defaults.
 */
import { describe, expect, it } from 'vitest';
import { defineProtocol } from '../../../src/context/protocol.js';
import { Vhost } from '../../../src/context/vhost.js';
import { WsLimits } from '../../../src/roles/ws/constants.js';
import { resolveWsOptions } from '../../../src/roles/ws/options.js';

describe('resolveWsOptions', () => {
  it('answers each vhost and protocol pair with one frozen object', () => {
    const a = defineProtocol({ name: 'a', ws: { maxMessageSize: 1000 } });
    const b = defineProtocol({ name: 'b' });
    const v1 = new Vhost({ protocols: [a, b], ws: { maxMessageSize: 2000, closeTimeoutSecs: 3 } });
    const v2 = new Vhost({ protocols: [a, b] });
    const oa = resolveWsOptions(v1, a);
    expect(Object.isFrozen(oa)).toBe(true);
    expect(resolveWsOptions(v1, a)).toBe(oa);
    expect(oa).toMatchObject({ maxMessageSize: 1000, closeTimeoutSecs: 3 });
    const ob = resolveWsOptions(v1, b);
    expect(ob).not.toBe(oa);
    expect(ob.maxMessageSize).toBe(2000);
    const o2 = resolveWsOptions(v2, b);
    expect(o2).not.toBe(ob);
    expect(o2.maxMessageSize).toBe(WsLimits.defaultMaxMessageSize);
    expect(resolveWsOptions(v2, undefined)).toBe(resolveWsOptions(v2, undefined));
  });

});
