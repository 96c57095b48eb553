{
  "targets": [
    {
      "target_name": "lws_native",
      "sources": ["src/native/addon.cc", "src/native/mask.cc", "src/native/utf8.cc", "src/native/zlib.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O3", "-std=c++17"]
    }
  ]
}
