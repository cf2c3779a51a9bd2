#!/usr/bin/env python3
"""Misbehaving clients for bench/abuse.sh (issue 21, section 3), until SIGTERM.

  abusers.py HOST PORT CA CERT KEY IDLE SLOW_HEADERS SLOW_BODIES SPREAD STATS_FILE

IDLE plain TCP sockets that send nothing, SLOW_HEADERS TLS clients that send a request's headers
one byte every 4 s, and SLOW_BODIES TLS clients (with a partner certificate) that announce a
1,000-byte body and send one byte of it every 4 s. Each kind connects from its own loopback
addresses (127.0.<kind>.1 to 127.0.<kind>.SPREAD), as clients on other machines would, and
reconnects when the gateway closes it, as an attacker would. Writes counts to STATS_FILE every
second: connections made, connections the gateway closed or refused, and how many are attached.
Only loopback addresses are ever used.
"""
import asyncio
import json
import os
import resource
import signal
import ssl
import sys
import time

HOST, PORT, CA, CERT, KEY = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
IDLE, SLOW_HEADERS, SLOW_BODIES, SPREAD = (int(a) for a in sys.argv[6:10])
STATS_FILE = sys.argv[10]
assert HOST.startswith("127."), "loopback only"

stats = {kind: {"connected": 0, "closed": 0, "failed": 0, "attached": 0}
         for kind in ("idle", "slow_headers", "slow_bodies")}


def source(kind_index, n):
    return (f"127.0.{kind_index}.{1 + n % SPREAD}", 0)


def tls_context(with_cert):
    context = ssl.create_default_context(cafile=CA)
    if with_cert:
        context.load_cert_chain(CERT, KEY)
    return context


async def connect(kind, kind_index, n, context):
    """Connects from the kind's address n, retrying each second while the gateway refuses."""
    s = stats[kind]
    while True:
        try:
            connection = await asyncio.open_connection(
                HOST, PORT, ssl=context, local_addr=source(kind_index, n),
                server_hostname="localhost" if context else None)
        except (OSError, ssl.SSLError):
            s["failed"] += 1
            await asyncio.sleep(1)
            continue
        s["connected"] += 1
        s["attached"] += 1
        return connection


async def disconnected(s, writer):
    """Counts a connection the gateway ended, then waits a little before the next one."""
    s["attached"] -= 1
    s["closed"] += 1
    writer.close()
    await asyncio.sleep(0.5)


async def hold_idle(n):
    """One plain TCP socket that sends nothing; reconnects when the gateway closes it."""
    s = stats["idle"]
    while True:
        reader, writer = await connect("idle", 1, n, None)
        try:
            while await reader.read(4096):
                pass
        except (OSError, ConnectionError):
            pass
        finally:
            await disconnected(s, writer)


async def hold_trickling(kind, kind_index, n, context, first, trickle):
    """One TLS client: sends `first`, then a byte of `trickle` every 4 s; reconnects when the
    gateway answers or closes."""
    s = stats[kind]
    while True:
        reader, writer = await connect(kind, kind_index, n, context)
        try:
            writer.write(first)
            await writer.drain()
            i = 0
            while True:
                try:
                    data = await asyncio.wait_for(reader.read(4096), timeout=4)
                    if not data:
                        break
                except asyncio.TimeoutError:
                    writer.write(trickle[i % len(trickle):i % len(trickle) + 1])
                    await writer.drain()
                    i += 1
        except (OSError, ssl.SSLError, ConnectionError):
            pass
        finally:
            await disconnected(s, writer)


async def report():
    while True:
        with open(STATS_FILE + ".tmp", "w") as f:
            json.dump({"time": time.time(), **stats}, f)
        os.replace(STATS_FILE + ".tmp", STATS_FILE)
        await asyncio.sleep(1)


async def main():
    tasks = [asyncio.create_task(report())]
    for n in range(IDLE):
        tasks.append(asyncio.create_task(hold_idle(n)))
    headers = tls_context(False)
    for n in range(SLOW_HEADERS):
        tasks.append(asyncio.create_task(hold_trickling(
            "slow_headers", 2, n, headers, b"GET /healthz HTTP/1.1\r\nHost: x\r\n",
            b"X-Slow: " + b"a" * 200 + b"\r\n")))
    bodies = tls_context(True)
    for n in range(SLOW_BODIES):
        tasks.append(asyncio.create_task(hold_trickling(
            "slow_bodies", 3, n, bodies,
            b"PUT /v1/dossiers/d" + b"a" * 26 + b"/sections/contact HTTP/1.1\r\nHost: x\r\n"
            b"X-Purpose: accompagnement\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n", b" ")))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    for t in tasks:
        t.cancel()


if __name__ == "__main__":
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(main())
