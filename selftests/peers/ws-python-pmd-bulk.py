"""python3-websockets as the client of minimal-ws-server-pmd-bulk, for interop selftests.

Usage: /usr/bin/python3 ws-python-pmd-bulk.py URL
Receives the server's two 400 KiB messages (sent as 100 compressed
fragments each), checks them against the example's generator, sends them
back whole, and prints the agreed extensions, each check and the server's verdict.
"""
import asyncio
import sys

import websockets

CHUNK = 4096
CHUNKS = 100
WORDS = ["lws", "permessage", "deflate", "bulk", "fragment", "ring", "vhost", "wsi", "writeable"]


def chunk(binary, index):
    if not binary:
        s, k = "", 0
        while len(s) < CHUNK:
            s += WORDS[(k * 7 + index) % len(WORDS)] + " "
            k += 1
        return s[:CHUNK].encode()
    b = bytearray(CHUNK)
    x = ((index + 1) * 2654435761) & 0xFFFFFFFF
    for i in range(CHUNK):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        b[i] = (x >> 24) & 0x0F
    return bytes(b)


async def main():
    async with websockets.connect(sys.argv[1], subprotocols=["lws-minimal-pmd-bulk"], max_size=1 << 21, open_timeout=10) as ws:
        print(f"EXTENSIONS {ws.response_headers.get('Sec-WebSocket-Extensions')}", flush=True)
        text = await asyncio.wait_for(ws.recv(), 10)
        data = await asyncio.wait_for(ws.recv(), 10)
        ok_text = isinstance(text, str) and text.encode() == b"".join(chunk(False, i) for i in range(CHUNKS))
        ok_data = isinstance(data, bytes) and data == b"".join(chunk(True, i) for i in range(CHUNKS))
        print(f"TEXT {len(text)} {'ok' if ok_text else 'differs'}", flush=True)
        print(f"BINARY {len(data)} {'ok' if ok_data else 'differs'}", flush=True)
        await ws.send(text)
        await ws.send(data)
        print(f"VERDICT {await asyncio.wait_for(ws.recv(), 10)}", flush=True)
        await ws.close(1000, "done")


asyncio.run(main())
