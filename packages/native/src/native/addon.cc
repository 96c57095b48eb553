// N-API glue for @lws/native: unwraps arguments and calls the pure functions
// in mask.cc and utf8.cc. Nothing here allocates, keeps a pointer past the
// call or calls back into JS. src/index.ts checks every argument first; the
// checks below only stop a caller that bypassed it from touching wild memory.
// The stateful zlib streams (RawDeflate, RawInflate) register themselves from
// zlib.cc.
#include <napi.h>

#include "mask.h"
#include "utf8.h"
#include "zlib_streams.h"

namespace {

// Bumped whenever a signature or the UTF-8 state numbering changes, or
// exports are added (2: RawDeflate, RawInflate, zlibVersion); the loader
// (src/backends.ts NATIVE_ABI) refuses a stale binary.
constexpr uint32_t kAbi = 2;

// The hot functions use the C API directly: node-addon-api's Napi::Uint8Array
// asks napi_get_typedarray_info twice per argument, which made a 16-byte
// mask() cost 82 ns against 45 ns raw (bench/README.md, "call cost").
template <size_t N>
bool Args(napi_env env, napi_callback_info cb, napi_value (&argv)[N]) {
  size_t argc = N;
  return napi_get_cb_info(env, cb, &argc, argv, nullptr, nullptr) == napi_ok && argc == N;
}

bool Bytes(napi_env env, napi_value v, uint8_t** data, size_t* length) {
  napi_typedarray_type type;
  void* p;
  if (napi_get_typedarray_info(env, v, &type, length, &p, nullptr, nullptr) != napi_ok) return false;
  *data = static_cast<uint8_t*>(p);
  return type == napi_uint8_array || type == napi_uint8_clamped_array;
}

bool Size(napi_env env, napi_value v, size_t* out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0) || d > 9007199254740991.0) return false;
  *out = static_cast<size_t>(d);
  return true;
}

// The rotated key as a uint32: byte j of the key stream is (word >> 8j) & 0xff.
bool Key(napi_env env, napi_value v, uint8_t key[4]) {
  uint32_t w;
  if (napi_get_value_uint32(env, v, &w) != napi_ok) return false;
  for (int j = 0; j < 4; j++) key[j] = static_cast<uint8_t>(w >> (8 * j));
  return true;
}

napi_value Misuse(napi_env env, const char* what) {
  napi_throw_type_error(env, nullptr, what);
  return nullptr;
}

// mask(source, output, offset, length, keyWord): output[offset + i] = source[i] ^ key[i & 3]
napi_value Mask(napi_env env, napi_callback_info cb) {
  napi_value argv[5];
  uint8_t *src, *out, key[4];
  size_t srcLen, outLen, offset, length;
  if (!Args(env, cb, argv) || !Bytes(env, argv[0], &src, &srcLen) || !Bytes(env, argv[1], &out, &outLen) ||
      !Size(env, argv[2], &offset) || !Size(env, argv[3], &length) || !Key(env, argv[4], key) ||
      length > srcLen || offset > outLen || length > outLen - offset) {
    return Misuse(env, "lws_native.mask: arguments out of contract");
  }
  lws::MaskBytes(src, key, out + offset, length);
  return nullptr;
}

// unmask(buffer, keyWord): buffer[i] ^= key[i & 3]
napi_value Unmask(napi_env env, napi_callback_info cb) {
  napi_value argv[2];
  uint8_t *buf, key[4];
  size_t len;
  if (!Args(env, cb, argv) || !Bytes(env, argv[0], &buf, &len) || !Key(env, argv[1], key)) {
    return Misuse(env, "lws_native.unmask: arguments out of contract");
  }
  lws::MaskBytes(buf, key, buf, len);
  return nullptr;
}

// utf8Update(chunk, state) -> new state, or -(index + 1) of the first invalid byte
napi_value Utf8Update(napi_env env, napi_callback_info cb) {
  napi_value argv[2];
  uint8_t* chunk;
  size_t len;
  uint32_t state;
  if (!Args(env, cb, argv) || !Bytes(env, argv[0], &chunk, &len) ||
      napi_get_value_uint32(env, argv[1], &state) != napi_ok || !lws::IsUtf8State(state)) {
    return Misuse(env, "lws_native.utf8Update: arguments out of contract");
  }
  napi_value result;
  napi_create_double(env, lws::Utf8Update(chunk, len, state), &result);
  return result;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abi", Napi::Number::New(env, kAbi));
  const struct {
    const char* name;
    napi_callback fn;
  } functions[] = {{"mask", Mask}, {"unmask", Unmask}, {"utf8Update", Utf8Update}};
  for (const auto& f : functions) {
    napi_value fn;
    if (napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &fn) != napi_ok) return exports;
    exports.Set(f.name, Napi::Value(env, fn));
  }
  lws::RegisterZlib(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(lws_native, Init)
