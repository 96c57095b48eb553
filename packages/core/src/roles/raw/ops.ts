/*
 * The raw role: bytes in, bytes out, no framing (lws raw adoption).
 * Handlers: rawAdopt, rawRx, rawWriteable, rawClose.
 */
import type { Wsi } from '../../context/wsi.js';
import type { RoleOps, WriteKind } from '../role.js';

interface RawState {
  closing: boolean;
}

function state(wsi: Wsi): RawState {
  return wsi.roleData as RawState;
}

export const rawRole: RoleOps = {
  name: 'raw',

  rx(wsi, chunk) {
    const p = wsi.protocol;
    if (p?.rawRx) wsi.invoke(() => p.rawRx?.(wsi, wsi.pss, chunk));
  },

  writeable(wsi) {
    const p = wsi.protocol;
    if (p?.rawWriteable) wsi.invoke(() => p.rawWriteable?.(wsi, wsi.pss));
  },

  write(wsi, data: Uint8Array, kind: WriteKind) {
    if (kind !== 'raw' || state(wsi).closing) return false;
    wsi.transport.write(data);
    return true;
  },

  close(wsi) {
    const s = state(wsi);
    if (s.closing) return;
    s.closing = true;
    wsi.transport.end();
  },

  peerEnded(wsi) {
    wsi.transport.end();
  },

  closed(wsi) {
    const p = wsi.protocol;
    if (p?.rawClose) wsi.invoke(() => p.rawClose?.(wsi, wsi.pss));
  },
};

/** Put a wsi into the raw role and announce it (LWS_CALLBACK_RAW_ADOPT). */
export function startRaw(wsi: Wsi): void {
  wsi.setRole(rawRole, { closing: false } satisfies RawState);
  const p = wsi.protocol;
  if (p?.rawAdopt) wsi.invoke(() => p.rawAdopt?.(wsi, wsi.pss));
}
