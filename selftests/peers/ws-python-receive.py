"""Receive every message from a ws server until it sends `done`, for interop selftests.

Usage: /usr/bin/python3 ws-python-receive.py URL [--no-deflate]
Prints one line per message, `got N: text|binary LENGTH SHA1`, then the
agreed extensions, and closes with 1000.
"""
import asyncio
import hashlib
import sys

import websockets


async def main():
    compression = None if "--no-deflate" in sys.argv else "deflate"
    async with websockets.connect(sys.argv[1], compression=compression, max_size=4 * 1024 * 1024, open_timeout=10) as ws:
        print(f"EXTENSIONS {ws.response_headers.get('Sec-WebSocket-Extensions')}", flush=True)
        n = 0
        while True:
            msg = await asyncio.wait_for(ws.recv(), 10)
            if msg == "done":
                break
            data = msg.encode() if isinstance(msg, str) else msg
            kind = "text" if isinstance(msg, str) else "binary"
            print(f"got {n}: {kind} {len(data)} {hashlib.sha1(data).hexdigest()}", flush=True)
            n += 1
        await ws.close(1000, "done")
        print(f"DONE {n}", flush=True)


asyncio.run(main())
