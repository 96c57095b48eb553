// Persistent raw DEFLATE streams for permessage-deflate (RFC 7692): a
// RawDeflate and a RawInflate per connection keep their z_stream between
// messages, so context takeover is the stream's own LZ77 window instead of a
// preset dictionary re-fed every message.
//
// zlib is not linked here: <zlib.h> comes from Node's headers (node-gyp puts
// <nodedir>/include/node first on the include path) and deflateInit2_,
// deflate, inflate, ... resolve at load time against the node executable,
// which bundles zlib and exports its symbols for addons (Node's C++ addon
// docs list zlib among the libraries addons may use). deflateInit2_ and
// inflateInit2_ check ZLIB_VERSION and sizeof(z_stream) against the running
// library, so a header that does not match fails cleanly with Z_VERSION_ERROR.
//
// Memory: a stream's z_stream and zlib state are allocated on first use and
// freed by close() or reset(true), so an idle connection holds only the
// small C++ object; the GC finalizer frees whatever close() did not. The
// allocation is reported to V8 (napi_adjust_external_memory) while held.
//
// Output: each call writes into one growing per-thread scratch buffer and
// returns a copy of exactly the bytes produced (napi_create_buffer_copy), so a
// 20-byte message costs a 20-byte Buffer, not a chunk-sized one.
#include "zlib_streams.h"

#include <zlib.h>

#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace lws {
namespace {

// The largest avail_in / avail_out handed to zlib at once (they are uInt).
constexpr size_t kMaxChunk = 1u << 30;
// The scratch buffer's first size, and the most it keeps between calls.
constexpr size_t kScratchInitial = 16 * 1024;
constexpr size_t kScratchKeep = 1024 * 1024;
// zlib asks for more than six bytes of room per Z_SYNC_FLUSH call.
constexpr size_t kMinRoom = 64;

// One thread's output buffer, reused by every stream on that thread.
class Scratch {
 public:
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { std::free(data_); }

  uint8_t* data() const { return data_; }
  size_t capacity() const { return capacity_; }

  // At least `need` bytes (doubling), but not beyond `limit` unless `need`
  // is. Keeps the contents. False when out of memory.
  bool Grow(size_t need, size_t limit) {
    if (need <= capacity_) return true;
    size_t cap = capacity_ < kScratchInitial ? kScratchInitial : capacity_;
    while (cap < need && cap <= SIZE_MAX / 2) cap *= 2;
    if (cap < need) cap = need;
    if (cap > limit) cap = limit > need ? limit : need;
    void* p = std::realloc(data_, cap);
    if (p == nullptr) return false;
    data_ = static_cast<uint8_t*>(p);
    capacity_ = cap;
    return true;
  }

  // After a call: a buffer grown for one huge message is not kept.
  void Trim() {
    if (capacity_ <= kScratchKeep) return;
    std::free(data_);
    data_ = nullptr;
    capacity_ = 0;
  }

 private:
  uint8_t* data_ = nullptr;
  size_t capacity_ = 0;
};

thread_local Scratch scratch;

// A raw deflate stream, allocated on first use.
class Deflater {
 public:
  Deflater(int level, int memLevel, int windowBits) : level_(level), memLevel_(memLevel), windowBits_(windowBits) {}
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;
  ~Deflater() { Release(); }

  bool allocated() const { return strm_ != nullptr; }

  // What zlib documents for deflate: (1 << (windowBits + 2)) + (1 << (memLevel + 9)), plus the state.
  int64_t Footprint() const {
    return (int64_t{1} << (windowBits_ + 2)) + (int64_t{1} << (memLevel_ + 9)) + 8 * 1024;
  }

  // Compresses len bytes with `flush` into the scratch buffer; *outLen bytes
  // of output. Z_OK, or Z_MEM_ERROR, Z_STREAM_ERROR, Z_VERSION_ERROR.
  int Run(const uint8_t* in, size_t len, int flush, size_t* outLen) {
    if (strm_ == nullptr) {
      int r = Init();
      if (r != Z_OK) return r;
    }
    z_stream* s = strm_;
    size_t out = 0;
    do {
      uInt chunk = static_cast<uInt>(len > kMaxChunk ? kMaxChunk : len);
      s->next_in = const_cast<Bytef*>(in);
      s->avail_in = chunk;
      in += chunk;
      len -= chunk;
      int f = len == 0 ? flush : Z_NO_FLUSH;
      for (;;) {
        if (scratch.capacity() - out < kMinRoom && !scratch.Grow(out + kMinRoom, SIZE_MAX)) return Z_MEM_ERROR;
        size_t room = scratch.capacity() - out;
        uInt avail = static_cast<uInt>(room > kMaxChunk ? kMaxChunk : room);
        s->next_out = scratch.data() + out;
        s->avail_out = avail;
        int r = deflate(s, f);
        out += avail - s->avail_out;
        if (r == Z_STREAM_ERROR) return r;
        // Z_BUF_ERROR: nothing left to do (no input, nothing to flush); Z_STREAM_END: Z_FINISH done.
        if (r == Z_BUF_ERROR || r == Z_STREAM_END) break;
        if (s->avail_in == 0 && s->avail_out != 0) break;
      }
    } while (len > 0);
    *outLen = out;
    return Z_OK;
  }

  void Reset() {
    if (strm_ != nullptr) deflateReset(strm_);
  }

  void Release() {
    if (strm_ == nullptr) return;
    deflateEnd(strm_);
    delete strm_;
    strm_ = nullptr;
  }

 private:
  int Init() {
    z_stream* s = new (std::nothrow) z_stream();
    if (s == nullptr) return Z_MEM_ERROR;
    int r = deflateInit2(s, level_, Z_DEFLATED, -windowBits_, memLevel_, Z_DEFAULT_STRATEGY);
    if (r != Z_OK) {
      delete s;
      return r;
    }
    strm_ = s;
    return Z_OK;
  }

  const int level_;
  const int memLevel_;
  const int windowBits_;
  z_stream* strm_ = nullptr;
};

enum class InflateStatus { kOk, kTooBig, kCorrupt, kNoMemory };

// A raw inflate stream, allocated on first use.
class Inflater {
 public:
  explicit Inflater(int windowBits) : windowBits_(windowBits) {}
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  ~Inflater() { Release(); }

  bool allocated() const { return strm_ != nullptr; }

  // The state (~7 KiB) and the window zlib allocates on first output.
  int64_t Footprint() const { return (int64_t{1} << windowBits_) + 8 * 1024; }

  // Starts one call's output.
  InflateStatus Begin() {
    ended_ = false;
    message_ = nullptr;
    if (strm_ != nullptr) return InflateStatus::kOk;
    z_stream* s = new (std::nothrow) z_stream();
    if (s == nullptr) return InflateStatus::kNoMemory;
    if (inflateInit2(s, -windowBits_) != Z_OK) {
      delete s;
      return InflateStatus::kNoMemory;
    }
    strm_ = s;
    return InflateStatus::kOk;
  }

  // Inflates len more bytes into the scratch buffer after *out bytes already
  // there. Output reaching `limit` bytes stops at once (kTooBig). Input after
  // the end of a final block is ignored, as node:zlib's inflateRawSync does.
  InflateStatus Feed(const uint8_t* in, size_t len, size_t limit, size_t* out) {
    z_stream* s = strm_;
    while (len > 0 && !ended_) {
      uInt chunk = static_cast<uInt>(len > kMaxChunk ? kMaxChunk : len);
      s->next_in = const_cast<Bytef*>(in);
      s->avail_in = chunk;
      in += chunk;
      len -= chunk;
      for (;;) {
        if (*out >= limit) return InflateStatus::kTooBig;
        if (scratch.capacity() <= *out && !scratch.Grow(*out + 1, limit)) return InflateStatus::kNoMemory;
        size_t end = scratch.capacity() < limit ? scratch.capacity() : limit;
        size_t room = end - *out;
        uInt avail = static_cast<uInt>(room > kMaxChunk ? kMaxChunk : room);
        s->next_out = scratch.data() + *out;
        s->avail_out = avail;
        int r = inflate(s, Z_SYNC_FLUSH);
        *out += avail - s->avail_out;
        if (r == Z_STREAM_END) {
          ended_ = true;
          break;
        }
        if (r == Z_MEM_ERROR) return InflateStatus::kNoMemory;
        if (r == Z_DATA_ERROR || r == Z_STREAM_ERROR || r == Z_NEED_DICT) {
          message_ = s->msg != nullptr ? s->msg : "invalid deflate data";
          return InflateStatus::kCorrupt;
        }
        // Z_BUF_ERROR: no progress possible, i.e. this chunk is used up.
        if (r == Z_BUF_ERROR || (s->avail_in == 0 && s->avail_out != 0)) break;
      }
    }
    if (*out >= limit) return InflateStatus::kTooBig;
    return InflateStatus::kOk;
  }

  // Ends one call. A final block (BFINAL) ended the stream: restart it with
  // the same window as preset dictionary, so the next message may still
  // refer back into this one (context takeover, RFC 7692 §7.2.3.3).
  InflateStatus End() {
    if (!ended_) return InflateStatus::kOk;
    ended_ = false;
    uInt size = 1u << windowBits_;
    Bytef* window = static_cast<Bytef*>(std::malloc(size));
    if (window == nullptr) return InflateStatus::kNoMemory;
    uInt have = 0;
    int r = inflateGetDictionary(strm_, window, &have);
    if (r == Z_OK) r = inflateReset(strm_);
    if (r == Z_OK && have > 0) r = inflateSetDictionary(strm_, window, have);
    std::free(window);
    return r == Z_OK ? InflateStatus::kOk : InflateStatus::kNoMemory;
  }

  const char* message() const { return message_ != nullptr ? message_ : "invalid deflate data"; }

  void Reset() {
    if (strm_ != nullptr) inflateReset(strm_);
  }

  void Release() {
    if (strm_ == nullptr) return;
    inflateEnd(strm_);
    delete strm_;
    strm_ = nullptr;
  }

 private:
  const int windowBits_;
  z_stream* strm_ = nullptr;
  bool ended_ = false;
  const char* message_ = nullptr;
};

// ---- N-API glue -----------------------------------------------------------
// src/index.ts checks arguments first; the checks here only keep a caller that
// bypassed it from reaching zlib with nonsense.

// What a JS RawDeflate / RawInflate object wraps.
template <class Z>
struct Handle {
  template <class... A>
  explicit Handle(A... args) : z(args...) {}
  Z z;
  bool closed = false;
  int64_t accounted = 0;

  // Tells V8 about memory zlib allocated or freed since the last call.
  void Account(napi_env env) {
    int64_t now = z.allocated() ? z.Footprint() : 0;
    if (now == accounted) return;
    int64_t ignored;
    napi_adjust_external_memory(env, now - accounted, &ignored);
    accounted = now;
  }

  void Release(napi_env env) {
    z.Release();
    Account(env);
  }
};

using DeflateHandle = Handle<Deflater>;
using InflateHandle = Handle<Inflater>;

napi_value Throw(napi_env env, const char* message) {
  napi_throw_error(env, nullptr, message);
  return nullptr;
}

napi_value Misuse(napi_env env, const char* what) {
  napi_throw_type_error(env, nullptr, what);
  return nullptr;
}

bool Bytes(napi_env env, napi_value v, const uint8_t** data, size_t* length) {
  napi_typedarray_type type;
  void* p;
  if (napi_get_typedarray_info(env, v, &type, length, &p, nullptr, nullptr) != napi_ok) return false;
  *data = static_cast<const uint8_t*>(p);
  if (*length == 0) *data = reinterpret_cast<const uint8_t*>("");  // zlib wants a pointer even for nothing
  return type == napi_uint8_array || type == napi_uint8_clamped_array;
}

bool IntIn(napi_env env, napi_value v, int min, int max, int* out) {
  int32_t i;
  if (napi_get_value_int32(env, v, &i) != napi_ok || i < min || i > max) return false;
  double d;
  napi_get_value_double(env, v, &d);
  if (d != i) return false;
  *out = i;
  return true;
}

// `this` and up to N arguments of a method; nullptr for a foreign `this`.
template <class H, size_t N>
H* Self(napi_env env, napi_callback_info cb, napi_value (&argv)[N], size_t* argc) {
  *argc = N;
  napi_value self;
  void* p = nullptr;
  if (napi_get_cb_info(env, cb, argc, argv, &self, nullptr) != napi_ok) return nullptr;
  if (napi_unwrap(env, self, &p) != napi_ok) return nullptr;
  return static_cast<H*>(p);
}

template <class H>
void Finalize(napi_env env, void* data, void* /*hint*/) {
  auto* h = static_cast<H*>(data);
  h->Release(env);
  delete h;
}

// The output of one call, as a new Buffer of exactly its size.
napi_value Output(napi_env env, size_t length) {
  napi_value result = nullptr;
  void* copy;
  napi_status st = napi_create_buffer_copy(env, length, scratch.data(), &copy, &result);
  scratch.Trim();
  if (st != napi_ok) return Throw(env, "Cannot allocate the zlib output buffer");
  return result;
}

bool IsConstruct(napi_env env, napi_callback_info cb) {
  napi_value target = nullptr;
  return napi_get_new_target(env, cb, &target) == napi_ok && target != nullptr;
}

// new RawDeflate(level, memLevel, windowBits)
napi_value DeflateNew(napi_env env, napi_callback_info cb) {
  napi_value argv[3];
  size_t argc = 3;
  napi_value self;
  int level, memLevel, windowBits;
  if (!IsConstruct(env, cb) || napi_get_cb_info(env, cb, &argc, argv, &self, nullptr) != napi_ok || argc != 3 ||
      !IntIn(env, argv[0], -1, 9, &level) || !IntIn(env, argv[1], 1, 9, &memLevel) ||
      !IntIn(env, argv[2], 9, 15, &windowBits)) {
    return Misuse(env, "lws_native.RawDeflate: arguments out of contract");
  }
  auto* h = new (std::nothrow) DeflateHandle(level, memLevel, windowBits);
  if (h == nullptr) return Throw(env, "Cannot create RawDeflate: out of memory");
  if (napi_wrap(env, self, h, Finalize<DeflateHandle>, nullptr, nullptr) != napi_ok) {
    delete h;
    return Throw(env, "Cannot create RawDeflate: napi_wrap failed");
  }
  return self;
}

// deflate(data, flush) -> Buffer with everything zlib produced
napi_value DeflateRun(napi_env env, napi_callback_info cb) {
  napi_value argv[2];
  size_t argc;
  auto* h = Self<DeflateHandle>(env, cb, argv, &argc);
  const uint8_t* data;
  size_t length;
  int flush;
  if (h == nullptr || argc != 2 || !Bytes(env, argv[0], &data, &length) || !IntIn(env, argv[1], 0, 4, &flush) ||
      flush == Z_PARTIAL_FLUSH) {
    return Misuse(env, "lws_native.RawDeflate.deflate: arguments out of contract");
  }
  if (h->closed) return Throw(env, "Cannot deflate: the stream is closed");
  size_t out = 0;
  int r = h->z.Run(data, length, flush, &out);
  h->Account(env);
  if (r != Z_OK) {
    scratch.Trim();
    return Throw(env, r == Z_MEM_ERROR ? "Cannot deflate: out of memory" : "Cannot deflate: zlib refused the stream");
  }
  return Output(env, out);
}

// new RawInflate(windowBits)
napi_value InflateNew(napi_env env, napi_callback_info cb) {
  napi_value argv[1];
  size_t argc = 1;
  napi_value self;
  int windowBits;
  if (!IsConstruct(env, cb) || napi_get_cb_info(env, cb, &argc, argv, &self, nullptr) != napi_ok || argc != 1 ||
      !IntIn(env, argv[0], 8, 15, &windowBits)) {
    return Misuse(env, "lws_native.RawInflate: arguments out of contract");
  }
  auto* h = new (std::nothrow) InflateHandle(windowBits);
  if (h == nullptr) return Throw(env, "Cannot create RawInflate: out of memory");
  if (napi_wrap(env, self, h, Finalize<InflateHandle>, nullptr, nullptr) != napi_ok) {
    delete h;
    return Throw(env, "Cannot create RawInflate: napi_wrap failed");
  }
  return self;
}

// inflate(input: Uint8Array | Uint8Array[], maxOutput) -> Buffer, or -1 when
// the output exceeds maxOutput, or zlib's message (a string) for corrupt data
napi_value InflateRun(napi_env env, napi_callback_info cb) {
  napi_value argv[2];
  size_t argc;
  auto* h = Self<InflateHandle>(env, cb, argv, &argc);
  double max;
  bool isArray = false;
  if (h == nullptr || argc != 2 || napi_get_value_double(env, argv[1], &max) != napi_ok || !(max >= 0) ||
      max > 9007199254740991.0 || napi_is_array(env, argv[0], &isArray) != napi_ok) {
    return Misuse(env, "lws_native.RawInflate.inflate: arguments out of contract");
  }
  if (h->closed) return Throw(env, "Cannot inflate: the stream is closed");
  uint32_t pieces = 1;
  if (isArray && napi_get_array_length(env, argv[0], &pieces) != napi_ok) {
    return Misuse(env, "lws_native.RawInflate.inflate: arguments out of contract");
  }
  const size_t limit = static_cast<size_t>(max) + 1;  // one byte more than allowed means too big
  InflateStatus status = h->z.Begin();
  h->Account(env);
  size_t out = 0;
  for (uint32_t i = 0; i < pieces && status == InflateStatus::kOk; i++) {
    napi_value piece = argv[0];
    if (isArray && napi_get_element(env, argv[0], i, &piece) != napi_ok) piece = nullptr;
    const uint8_t* data;
    size_t length;
    if (piece == nullptr || !Bytes(env, piece, &data, &length)) {
      scratch.Trim();
      return Misuse(env, "lws_native.RawInflate.inflate: input must be a Uint8Array or an array of them");
    }
    status = h->z.Feed(data, length, limit, &out);
  }
  if (status == InflateStatus::kOk) status = h->z.End();
  napi_value result;
  switch (status) {
    case InflateStatus::kOk:
      return Output(env, out);
    case InflateStatus::kTooBig:
      scratch.Trim();
      napi_create_int32(env, -1, &result);
      return result;
    case InflateStatus::kCorrupt:
      scratch.Trim();
      napi_create_string_utf8(env, h->z.message(), NAPI_AUTO_LENGTH, &result);
      return result;
    case InflateStatus::kNoMemory:
      break;
  }
  scratch.Trim();
  return Throw(env, "Cannot inflate: out of memory");
}

// reset(release): forget the stream's history; with release, free its memory
// too (the next call allocates it again).
template <class H>
napi_value ResetMethod(napi_env env, napi_callback_info cb) {
  napi_value argv[1];
  size_t argc;
  auto* h = Self<H>(env, cb, argv, &argc);
  bool release = false;
  if (h == nullptr || argc != 1 || napi_get_value_bool(env, argv[0], &release) != napi_ok) {
    return Misuse(env, "lws_native: reset(release) arguments out of contract");
  }
  if (h->closed) return Throw(env, "Cannot reset: the stream is closed");
  if (release) {
    h->Release(env);
  } else {
    h->z.Reset();
  }
  return nullptr;
}

// close(): free the stream now; later calls throw. Idempotent.
template <class H>
napi_value CloseMethod(napi_env env, napi_callback_info cb) {
  napi_value argv[1];
  size_t argc;
  auto* h = Self<H>(env, cb, argv, &argc);
  if (h == nullptr) return Misuse(env, "lws_native: close() called on a foreign object");
  h->closed = true;
  h->Release(env);
  return nullptr;
}

bool DefineClass(napi_env env, napi_value exports, const char* name, napi_callback ctor, napi_callback run,
                 const char* runName, napi_callback reset, napi_callback close) {
  const napi_property_descriptor methods[] = {
      {runName, nullptr, run, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reset", nullptr, reset, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"close", nullptr, close, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_value cls;
  return napi_define_class(env, name, NAPI_AUTO_LENGTH, ctor, nullptr, 3, methods, &cls) == napi_ok &&
         napi_set_named_property(env, exports, name, cls) == napi_ok;
}

}  // namespace

bool RegisterZlib(napi_env env, napi_value exports) {
  napi_value version;
  return DefineClass(env, exports, "RawDeflate", DeflateNew, DeflateRun, "deflate", ResetMethod<DeflateHandle>,
                     CloseMethod<DeflateHandle>) &&
         DefineClass(env, exports, "RawInflate", InflateNew, InflateRun, "inflate", ResetMethod<InflateHandle>,
                     CloseMethod<InflateHandle>) &&
         napi_create_string_utf8(env, zlibVersion(), NAPI_AUTO_LENGTH, &version) == napi_ok &&
         napi_set_named_property(env, exports, "zlibVersion", version) == napi_ok;
}

}  // namespace lws
