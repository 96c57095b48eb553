"""An independent ws client for interop selftests: python3-websockets.

Usage: /usr/bin/python3 ws-python-client.py URL [--no-deflate] [--subprotocol NAME]
Sends text and binary messages of several sizes to an echo server, checks
each echo byte for byte, pings, closes with 1000, and prints one JSON line.
"""
import asyncio
import hashlib
import json
import sys

import websockets


def messages():
    out = []
    for i, size in enumerate([0, 1, 125, 126, 65535, 65536, 300000]):
        if i % 2 == 0:
            out.append(("lws-ts interop " * (size // 15 + 1))[:size])
        else:
            out.append(bytes((k * 7 + i) & 0xFF for k in range(size)))
    out.append("é€😀 utf-8")
    return out


async def main():
    url = sys.argv[1]
    compression = None if "--no-deflate" in sys.argv else "deflate"
    subprotocols = None
    if "--subprotocol" in sys.argv:
        subprotocols = [sys.argv[sys.argv.index("--subprotocol") + 1]]
    result = {"ok": False, "echoed": 0}
    async with websockets.connect(url, compression=compression, subprotocols=subprotocols,
                                  max_size=4 * 1024 * 1024, open_timeout=10) as ws:
        result["extensions"] = ws.response_headers.get("Sec-WebSocket-Extensions")
        result["subprotocol"] = ws.subprotocol
        sha = hashlib.sha1()
        for m in messages():
            await ws.send(m)
            back = await asyncio.wait_for(ws.recv(), 10)
            if type(back) is not type(m) or back != m:
                result["error"] = f"message {result['echoed']} differs"
                break
            sha.update(m.encode() if isinstance(m, str) else m)
            result["echoed"] += 1
        pong = await ws.ping(b"lws")
        await asyncio.wait_for(pong, 10)
        result["pong"] = True
        result["sha1"] = sha.hexdigest()
        await ws.close(1000, "bye")
        result["close_code"] = ws.close_code
    result["ok"] = "error" not in result and result["echoed"] == len(messages())
    print(json.dumps(result), flush=True)


asyncio.run(main())
