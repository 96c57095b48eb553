// WebSocket masking (RFC 6455 §5.3), eight bytes per step.
//
//   transformed-octet-i = original-octet-i XOR masking-key-octet-(i MOD 4)
#include "mask.h"

#include <cstring>

namespace lws {

void MaskBytes(const uint8_t* src, const uint8_t key[4], uint8_t* out, size_t len) {
  // The key repeated to eight bytes; memcpy keeps the word loads and stores
  // legal at any alignment and endianness.
  uint8_t k[8];
  for (int j = 0; j < 8; j++) k[j] = key[j & 3];
  uint64_t kw;
  std::memcpy(&kw, k, 8);

  size_t i = 0;
  for (; i + 32 <= len; i += 32) {
    uint64_t w[4];
    std::memcpy(w, src + i, 32);
    w[0] ^= kw;
    w[1] ^= kw;
    w[2] ^= kw;
    w[3] ^= kw;
    std::memcpy(out + i, w, 32);
  }
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    std::memcpy(&w, src + i, 8);
    w ^= kw;
    std::memcpy(out + i, &w, 8);
  }
  // i is a multiple of 8 here, so k[i & 3] continues the key stream.
  for (; i < len; i++) out[i] = src[i] ^ k[i & 3];
}

}  // namespace lws
