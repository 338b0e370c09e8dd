"""The gateway's own clients, edge cases the end-to-end tests do not reach: the HTTP/1.1
upstream pool against small raw-socket upstreams that answer the way some servers do,
and the pipelined Redis connection against the real Redis."""

from __future__ import annotations

import asyncio

import pytest
from edge.resp import RedisPipe, Script
from edge.upstream import Disconnected, ReadTimeout, UpstreamPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeout

from .conftest import REDIS_URL


async def _serve(handler):
    """A raw TCP upstream on a free port; `handler(reader, writer)` per connection."""
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


async def _read_head(reader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


def _pool(url, **kwargs) -> UpstreamPool:
    return UpstreamPool(url, size=4, connect_timeout=1.0, read_timeout=2.0, **kwargs)


async def _body(response) -> bytes:
    try:
        return b"".join([chunk async for chunk in response.chunks()])
    finally:
        response.release()


def test_body_delimited_by_the_connection_closing():
    async def main():
        async def handler(reader, writer):
            await _read_head(reader)
            writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end")
            await writer.drain()
            writer.close()

        server, url = await _serve(handler)
        async with server:
            pool = _pool(url)
            response = await pool.request("GET", b"/", [])
            assert response.status == 200
            assert await _body(response) == b"until the end"
            assert not pool._idle  # not reusable: the upstream closed it

    asyncio.run(main())


def test_chunked_answer_after_a_100_continue_and_connection_reuse():
    connections = []

    async def main():
        async def handler(reader, writer):
            connections.append(writer)
            while True:
                try:
                    await _read_head(reader)
                except asyncio.IncompleteReadError:
                    return
                writer.write(
                    b"HTTP/1.1 100 Continue\r\n\r\n"
                    b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nX-Thing: 1\r\n\r\n"
                    b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
                )
                await writer.drain()

        server, url = await _serve(handler)
        async with server:
            pool = _pool(url)
            for _ in range(3):
                response = await pool.request("GET", b"/thing", [(b"x-a", b"b")])
                assert response.status == 201
                assert (b"X-Thing", b"1") in response.headers
                assert await _body(response) == b"hello world"
            pool.close()

    asyncio.run(main())
    assert len(connections) == 1  # kept alive and reused


def test_upstream_closing_before_answering_is_a_retryable_disconnect():
    async def main():
        async def handler(reader, writer):
            await _read_head(reader)
            writer.close()  # an idle keep-alive connection the upstream just dropped

        server, url = await _serve(handler)
        async with server:
            pool = _pool(url)
            with pytest.raises(Disconnected) as caught:
                await pool.request("GET", b"/", [])
            assert caught.value.retryable
            assert pool._slots._value == 4  # the slot came back

    asyncio.run(main())


def test_silent_upstream_times_out_and_its_connection_is_dropped():
    async def main():
        async def handler(reader, writer):
            await _read_head(reader)
            await asyncio.sleep(5)

        server, url = await _serve(handler)
        async with server:
            pool = UpstreamPool(url, size=2, connect_timeout=1.0, read_timeout=0.3)
            with pytest.raises(ReadTimeout) as caught:
                await pool.request("GET", b"/", [])
            assert not caught.value.retryable  # it may be working on the request
            assert not pool._idle

    asyncio.run(main())


def test_streamed_request_body_is_sent_chunked_when_its_length_is_unknown():
    received = []

    async def main():
        async def handler(reader, writer):
            head = await _read_head(reader)
            assert b"transfer-encoding: chunked" in head.lower()
            body = b""
            while True:
                size = int((await reader.readline()).strip(), 16)
                if size == 0:
                    await reader.readline()
                    break
                body += await reader.readexactly(size)
                await reader.readline()
            received.append(body)
            writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
            await writer.drain()

        async def parts():
            for part in (b"one,", b"two,", b"three"):
                yield part

        server, url = await _serve(handler)
        async with server:
            pool = _pool(url)
            response = await pool.request("POST", b"/upload", [], parts(), None)
            assert response.status == 204
            assert await _body(response) == b""
            pool.close()

    asyncio.run(main())
    assert received == [b"one,two,three"]


# --- Redis ---------------------------------------------------------------------------------


def test_concurrent_commands_share_one_connection_and_get_their_own_answers(clean_redis):
    async def main():
        pipe = RedisPipe(REDIS_URL, timeout=2.0)
        keys = [f"gw:test:pipe:{i}" for i in range(300)]
        await asyncio.gather(*(pipe.execute("SET", k, i) for i, k in enumerate(keys)))
        values = await asyncio.gather(*(pipe.execute("GET", k) for k in keys))
        assert values == [str(i).encode() for i in range(300)]
        with pytest.raises(ResponseError):
            await pipe.execute("INCR", "gw:test:pipe:0", "extra-argument")
        assert await pipe.execute("GET", "gw:test:pipe:1") == b"1"  # still in step
        await pipe.execute("DEL", *keys)
        pipe.close()

    asyncio.run(main())


def test_script_is_loaded_again_after_redis_forgets_it(clean_redis):
    async def main():
        pipe = RedisPipe(REDIS_URL, timeout=2.0)
        script = Script(pipe, "return tonumber(ARGV[1]) + 1")
        assert await script([], [41]) == 42
        await pipe.execute("SCRIPT", "FLUSH")
        assert await script([], [1]) == 2
        pipe.close()

    asyncio.run(main())


def test_a_timed_out_command_closes_the_connection_and_the_next_one_reconnects(clean_redis):
    async def main():
        pipe = RedisPipe(REDIS_URL, timeout=0.2)
        await pipe.execute("PING")
        first = pipe._conn
        # Another client pauses every client (this one too) for longer than the timeout.
        clean_redis.execute_command("CLIENT", "PAUSE", 600, "ALL")
        with pytest.raises(RedisTimeout):
            await pipe.execute("PING")
        await asyncio.sleep(0.7)
        assert await pipe.execute("PING") == b"PONG"
        assert pipe._conn is not first

    asyncio.run(main())


def test_unreachable_redis_fails_at_once_while_it_stays_down():
    async def main():
        pipe = RedisPipe("redis://127.0.0.1:1/0", timeout=1.0, retry_after=30)
        with pytest.raises(RedisConnectionError):
            await pipe.execute("PING")
        started = asyncio.get_running_loop().time()
        for _ in range(50):
            with pytest.raises(RedisConnectionError, match="retrying shortly"):
                await pipe.execute("PING")
        assert asyncio.get_running_loop().time() - started < 0.1

    asyncio.run(main())
