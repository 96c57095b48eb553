// Incremental UTF-8 validation (RFC 3629 §4): a shift-based DFA. Each byte
// maps to one 64-bit row holding, for every state s, next(s, byte) at bit s;
// a step is `s = row[byte] >> s`. The row load does not depend on s, so the
// only serial work per byte is a shift. Runs of ASCII between code points
// are skipped eight bytes at a time.
#include "utf8.h"

#include <cstring>

namespace lws {
namespace {

// The transition function, written out from the table in src/js/utf8.ts.
constexpr uint32_t Next(uint32_t s, uint32_t b) {
  const bool cont = b >= 0x80 && b <= 0xbf;
  switch (s) {
    case kUtf8Accept:
      if (b < 0x80) return kUtf8Accept;
      if (b >= 0xc2 && b <= 0xdf) return kUtf8Need1;
      if (b == 0xe0) return kUtf8AfterE0;
      if (b == 0xed) return kUtf8AfterED;
      if (b >= 0xe1 && b <= 0xef) return kUtf8Need2;
      if (b == 0xf0) return kUtf8AfterF0;
      if (b >= 0xf1 && b <= 0xf3) return kUtf8Need3;
      if (b == 0xf4) return kUtf8AfterF4;
      return kUtf8Reject;  // 80..BF unexpected continuation, C0 C1 overlong, F5..FF
    case kUtf8Need1: return cont ? kUtf8Accept : kUtf8Reject;
    case kUtf8Need2: return cont ? kUtf8Need1 : kUtf8Reject;
    case kUtf8Need3: return cont ? kUtf8Need2 : kUtf8Reject;
    case kUtf8AfterE0: return b >= 0xa0 && b <= 0xbf ? kUtf8Need1 : kUtf8Reject;
    case kUtf8AfterED: return b >= 0x80 && b <= 0x9f ? kUtf8Need1 : kUtf8Reject;
    case kUtf8AfterF0: return b >= 0x90 && b <= 0xbf ? kUtf8Need2 : kUtf8Reject;
    case kUtf8AfterF4: return b >= 0x80 && b <= 0x8f ? kUtf8Need2 : kUtf8Reject;
    default: return kUtf8Reject;
  }
}

struct Rows {
  uint64_t row[256];
};

constexpr Rows MakeRows() {
  constexpr uint32_t kStates[] = {kUtf8Accept, kUtf8Reject,  kUtf8Need1,   kUtf8Need2,  kUtf8Need3,
                                  kUtf8AfterE0, kUtf8AfterED, kUtf8AfterF0, kUtf8AfterF4};
  Rows r{};
  for (uint32_t b = 0; b < 256; b++) {
    uint64_t row = 0;
    for (uint32_t s : kStates) row |= static_cast<uint64_t>(Next(s, b)) << s;
    r.row[b] = row;
  }
  return r;
}

constexpr Rows kRows = MakeRows();
static_assert((kRows.row[0x41] & 63) == kUtf8Accept, "ASCII keeps Accept");
static_assert(((kRows.row[0x00] >> kUtf8Reject) & 63) == kUtf8Reject, "Reject absorbs");

inline uint64_t Step(uint64_t s, uint8_t b) { return (kRows.row[b] >> s) & 63; }

constexpr uint64_t kHighBits = 0x8080808080808080ull;

inline uint64_t Load8(const uint8_t* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

// First index >= i where an ASCII run starting at i ends (at most n).
inline size_t SkipAscii(const uint8_t* p, size_t i, size_t n) {
  for (; i + 32 <= n; i += 32) {
    if (((Load8(p + i) | Load8(p + i + 8) | Load8(p + i + 16) | Load8(p + i + 24)) & kHighBits) != 0) break;
  }
  for (; i + 8 <= n; i += 8) {
    if ((Load8(p + i) & kHighBits) != 0) break;
  }
  while (i < n && p[i] < 0x80) i++;
  return i;
}

}  // namespace

double Utf8Update(const uint8_t* p, size_t n, uint32_t state) {
  uint64_t s = state;
  size_t i = 0;
  while (i < n) {
    if (s == kUtf8Accept) {
      i = SkipAscii(p, i, n);
      if (i == n) break;
    }
    if (i + 16 <= n) {
      // 16 steps without a branch; Reject absorbs, so one check finds a failure
      // in the block and a replay finds its byte.
      uint64_t t = s;
      for (int j = 0; j < 16; j++) t = Step(t, p[i + j]);
      if (t == kUtf8Reject) {
        for (;; i++) {
          s = Step(s, p[i]);
          if (s == kUtf8Reject) return -static_cast<double>(i + 1);
        }
      }
      s = t;
      i += 16;
    } else {
      for (; i < n; i++) {
        s = Step(s, p[i]);
        if (s == kUtf8Reject) return -static_cast<double>(i + 1);
      }
    }
  }
  return static_cast<double>(s);
}

}  // namespace lws
