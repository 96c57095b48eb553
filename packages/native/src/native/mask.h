// WebSocket masking (RFC 6455 §5.3) on caller-owned memory: no allocation, no throws.
#ifndef LWS_NATIVE_MASK_H
#define LWS_NATIVE_MASK_H

#include <cstddef>
#include <cstdint>

namespace lws {

// out[i] = src[i] ^ key[i & 3] for i in [0, len); the caller rotates the key for
// a phase. src == out is allowed (in place); other overlaps are rejected by
// src/index.ts before we get here.
void MaskBytes(const uint8_t* src, const uint8_t key[4], uint8_t* out, size_t len);

}  // namespace lws

#endif
