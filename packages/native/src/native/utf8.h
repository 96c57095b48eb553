// Incremental UTF-8 validation (RFC 3629 §4) on caller-owned memory: no allocation, no throws.
#ifndef LWS_NATIVE_UTF8_H
#define LWS_NATIVE_UTF8_H

#include <cstddef>
#include <cstdint>

namespace lws {

// DFA states, numbered as in src/js/utf8.ts (Utf8State): bit offsets into a row word.
constexpr uint32_t kUtf8Accept = 0;
constexpr uint32_t kUtf8Reject = 6;
constexpr uint32_t kUtf8Need1 = 12;
constexpr uint32_t kUtf8Need2 = 18;
constexpr uint32_t kUtf8Need3 = 24;
constexpr uint32_t kUtf8AfterE0 = 30;
constexpr uint32_t kUtf8AfterED = 36;
constexpr uint32_t kUtf8AfterF0 = 42;
constexpr uint32_t kUtf8AfterF4 = 48;

// A state a caller may pass in: every state but Reject.
constexpr bool IsUtf8State(uint32_t s) { return s <= kUtf8AfterF4 && s % 6 == 0 && s != kUtf8Reject; }

// Feeds p[0, n) from state. Returns the new state (>= 0), or -(i + 1) when the
// byte at index i is the first that makes the stream invalid. A double, since
// an index can exceed 2^31.
double Utf8Update(const uint8_t* p, size_t n, uint32_t state);

}  // namespace lws

#endif
