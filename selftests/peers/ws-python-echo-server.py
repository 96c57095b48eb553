"""An independent ws echo server for interop selftests: python3-websockets.

Usage: /usr/bin/python3 ws-python-echo-server.py [--no-deflate]
Prints `LISTENING ws://127.0.0.1:PORT`, then per connection the agreed
extensions and subprotocol, and echoes every message until killed.
"""
import asyncio
import sys

import websockets


async def echo(ws, _path=None):
    ext = ws.response_headers.get("Sec-WebSocket-Extensions")
    print(f"CONNECTION subprotocol={ws.subprotocol} extensions={ext}", flush=True)
    count = 0
    async for msg in ws:
        count += 1
        await ws.send(msg)
    print(f"CLOSED code={ws.close_code} messages={count}", flush=True)


async def main():
    compression = None if "--no-deflate" in sys.argv else "deflate"
    async with websockets.serve(echo, "127.0.0.1", 0, compression=compression,
                                subprotocols=["lws-minimal-server-echo"], max_size=4 * 1024 * 1024) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"LISTENING ws://127.0.0.1:{port}", flush=True)
        await asyncio.Future()


asyncio.run(main())
