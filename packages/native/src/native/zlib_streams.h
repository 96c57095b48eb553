// Persistent raw DEFLATE streams (RFC 1951) for permessage-deflate (RFC 7692),
// one z_stream per direction per connection, run synchronously on the
// calling thread. zlib is the Node process's own (see zlib.cc).
#ifndef LWS_NATIVE_ZLIB_STREAMS_H
#define LWS_NATIVE_ZLIB_STREAMS_H

#include <node_api.h>

namespace lws {

// Adds the RawDeflate and RawInflate classes and zlibVersion (a string) to
// `exports`. Returns false when N-API refused (an exception may be pending).
bool RegisterZlib(napi_env env, napi_value exports);

}  // namespace lws

#endif
