#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that adds a delay before each request reaches the server, for benchmarks.

Usage: delay_proxy.py LISTEN_PORT TARGET_PORT DELAY_MS
A "request" is the first bytes the client sends after the server last answered on that connection (or the first on
it), which is how HTTP/1.1 keeps-alive connections take turns: each S3 request then waits DELAY_MS, like a round trip
to a distant endpoint, while its body and the answer stream at loopback speed. Loopback needs no root for this, unlike
tc qdisc.
"""
import asyncio
import sys


async def pump(reader, writer, on_chunk):
    try:
        while data := await reader.read(1 << 16):
            await on_chunk()
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main(listen, target, delay):
    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            client_writer.close()
            return
        answered = [True]

        async def request_chunk():
            if answered[0]:
                answered[0] = False
                await asyncio.sleep(delay)

        async def answer_chunk():
            answered[0] = True

        await asyncio.gather(pump(client_reader, server_writer, request_chunk), pump(server_reader, client_writer, answer_chunk))

    server = await asyncio.start_server(handle, "127.0.0.1", listen)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000))
