"""Catalog speed: requests/s and latency of the public pages against a bare Flask ceiling.

    .venv/bin/python benchmarks/catalog.py                # SQLite file, 1,000 then 100,000 listings
    DATABASE_URL=postgresql://... .venv/bin/python benchmarks/catalog.py --reset   # PostgreSQL

For each size it builds the database (migrations, then bulk inserts through SQLAlchemy core),
starts the shop under gunicorn with 2 workers on a free 127.0.0.1 port, captures the HTML of
the measured pages and serves the same bytes from a bare Flask app (benchmarks/bare_app.py)
with the same gunicorn settings, then drives both with `wrk` (or, without wrk, a bounded Python
client) and prints requests/s, p50/p99 latency, the ratio to the bare endpoint, each worker's
peak RSS (VmHWM) and the gzip-compressed weight of HTML+CSS+JS. Nothing leaves 127.0.0.1.

"cached" rows are what anonymous visitors get (the shared-version page cache, after a warm-up);
"render" rows defeat the cache with a changing query argument, so every request runs the SQL
and the templates: that is the cost that must stay flat from 1,000 to 100,000 listings.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WEIGHT_BUDGET = 60 * 1024  # QUALITY.md: HTML+CSS+JS of any page under 60 KB compressed
RATIO_BAR = 0.5  # QUALITY.md: the catalog page serves at least half the bare endpoint's rate
WORKERS = 2
SELLERS = 24
CHUNK = 5_000


# --- the data ------------------------------------------------------------------------------


def make_app(database_url: str, media_root: Path):
    from marketplace import create_app
    from marketplace.config import _database_url

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": _database_url(database_url),
            "MEDIA_ROOT": str(media_root),
            "OUTBOX_AFTER_COMMIT": "off",
            "SECRET_KEY": "benchmark",
        }
    )


def prepare_schema(app, *, reset: bool) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import inspect, text

    from marketplace.extensions import db

    with app.app_context():
        tables = inspect(db.engine).get_table_names()
        if tables and db.engine.dialect.name == "postgresql":
            if not reset:
                sys.exit(
                    "The PostgreSQL database is not empty; pass --reset to drop its public schema."
                )
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()


def photo_keys(app) -> list[str]:
    """Two real photos through the upload pipeline (thumb + large WebP files on disk)."""
    import io

    from PIL import Image, ImageDraw

    from marketplace.media.images import save_photo

    keys = []
    with app.test_request_context():
        for hue in ((18, 70, 120), (170, 90, 60)):
            image = Image.new("RGB", (1600, 1200), hue)
            draw = ImageDraw.Draw(image)
            for band in range(0, 1200, 40):
                shade = tuple(min(255, c + band // 12) for c in hue)
                draw.rectangle((0, band, 1600, band + 20), fill=shade)
            draw.ellipse((400, 400, 1200, 800), fill=(200, 200, 210))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85)
            keys.append(save_photo(out.getvalue()))
    return keys


def insert_sellers(conn) -> list[dict]:
    from sqlalchemy import insert

    from marketplace.accounts.models import SellerProfile, User
    from marketplace.catalog import reference
    from marketplace.timeutil import now

    ports = reference.ports()
    at = now()
    sellers = []
    for n in range(1, SELLERS + 1):
        port = ports[n % len(ports)]
        sellers.append(
            {
                "id": n,
                "name": f"第{n}{'浜丸' if n % 2 else '宝丸'}",
                "boat_name": f"{'浜丸' if n % 2 else '宝丸'} No.{n}",
                "port": port,
                "method": ("定置網", "刺し網", "一本釣り", "かご漁")[n % 4],
            }
        )
    conn.execute(
        insert(User.__table__),
        [
            {
                "id": s["id"],
                "email": f"bench-seller{s['id']}@example.jp",
                "password_hash": "!",  # nobody signs in as these
                "role": "seller",
                "active": True,
                "created_at": at,
            }
            for s in sellers
        ],
    )
    conn.execute(
        insert(SellerProfile.__table__),
        [
            {
                "user_id": s["id"],
                "status": "approved",
                "kind": "fisher" if s["id"] % 5 else "processor",
                "name": s["name"],
                "boat_name": s["boat_name"],
                "home_port_code": s["port"].code,
                "home_port": s["port"].ja,
                "fishing_method": s["method"],
                "member_number": f"E-{1000 + s['id']}",
                "story": "朝三時に出港し、その日のうちに水揚げした魚だけを出品しています。",
                "applied_at": at,
                "decided_at": at,
            }
            for s in sellers
        ],
    )
    return sellers


def listing_rows(first: int, last: int, sellers: list[dict], keys: list[str]):
    """Plausible live listings with ids first..last, with photo and price-tier rows."""
    from marketplace.catalog import reference
    from marketplace.catalog.reference import fold
    from marketplace.timeutil import now

    rng = random.Random(first)
    species, ports = reference.species(), reference.ports()
    at = now()
    listings, photos, tiers = [], [], []
    for listing_id in range(first, last + 1):
        seller = sellers[listing_id % len(sellers)]
        kind = "product" if listing_id % 3 == 0 else "catch"
        fish = species[rng.randrange(len(species))]
        port = ports[rng.randrange(len(ports))] if rng.random() < 0.7 else seller["port"]
        unit = "piece" if kind == "product" or rng.random() < 0.25 else "kg"
        quantity = Decimal(rng.randrange(1, 400)) / (10 if unit == "kg" else 1)
        title = (
            {"ja": f"{port.ja}産 {fish.ja}", "en": f"{fish.en} from {port.en}"}
            if kind == "catch"
            else {"ja": f"{fish.ja}の干物", "en": f"Dried {fish.en}"}
        )
        text = " ".join(
            [
                *title.values(),
                fish.search_terms,
                port.search_terms,
                seller["name"],
                seller["boat_name"],
            ]
        )
        listings.append(
            {
                "id": listing_id,
                "seller_id": seller["id"],
                "kind": kind,
                "title": title,
                "description": {"ja": "船上で活け締めし、氷温で管理しています。"},
                "species_code": fish.code,
                "species_name": fish.ja,
                "unit": unit,
                "price_jpy": rng.randrange(3, 240) * 50,
                "quantity_available": quantity,
                "quantity_listed": quantity,
                "min_order": Decimal("0.5") if unit == "kg" else Decimal(1),
                "temperature": "chilled" if kind == "catch" else rng.choice(("frozen", "ambient")),
                "caught_at": at - timedelta(minutes=rng.randrange(30, 1200))
                if kind == "catch"
                else None,
                "landing_port_code": port.code,
                "landing_port": port.ja,
                "method": seller["method"] if kind == "catch" else None,
                "available_until": at + timedelta(hours=rng.randrange(6, 40))
                if kind == "catch"
                else None,
                "best_before": (at + timedelta(days=rng.randrange(30, 300))).date()
                if kind == "product"
                else None,
                "status": "active",
                "hidden": False,
                "search_text": fold(text),
                "relisted_from_id": None,
                "created_at": at,
                "updated_at": at,
            }
        )
        for position in range(listing_id % 3):  # a third none, a third one, a third two photos
            photos.append(
                {
                    "listing_id": listing_id,
                    "position": position,
                    "key": keys[(listing_id + position) % 2],
                }
            )
        if listing_id % 4 == 0:
            step = Decimal(5) if unit == "kg" else Decimal(10)
            price = listings[-1]["price_jpy"]
            tiers += [
                {"listing_id": listing_id, "min_quantity": step, "price_jpy": max(50, price - 100)},
                {
                    "listing_id": listing_id,
                    "min_quantity": step * 2,
                    "price_jpy": max(50, price - 200),
                },
            ]
    return listings, photos, tiers


def grow(app, target: int, state: dict) -> float:
    """Add listings up to `target` (sellers and photos on the first call); bump the catalog
    version as any listing change does. Returns the seconds it took."""
    from sqlalchemy import insert, select, update

    from marketplace.catalog.models import CatalogState, Listing, ListingPhoto, PriceTier
    from marketplace.extensions import db

    started = time.perf_counter()
    with app.app_context():
        if "keys" not in state:
            state["keys"] = photo_keys(app)
        with db.engine.begin() as conn:
            if "sellers" not in state:
                state["sellers"] = insert_sellers(conn)
            first = state.get("count", 0) + 1
            for start in range(first, target + 1, CHUNK):
                listings, photos, tiers = listing_rows(
                    start, min(start + CHUNK - 1, target), state["sellers"], state["keys"]
                )
                conn.execute(insert(Listing.__table__), listings)
                if photos:
                    conn.execute(insert(ListingPhoto.__table__), photos)
                if tiers:
                    conn.execute(insert(PriceTier.__table__), tiers)
            if conn.execute(select(CatalogState.id)).first() is None:
                conn.execute(insert(CatalogState.__table__), {"id": 1, "version": 1})
            else:
                conn.execute(update(CatalogState).values(version=CatalogState.version + 1))
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        else:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        db.engine.dispose()
    state["count"] = target
    return time.perf_counter() - started


# --- query plans ---------------------------------------------------------------------------


def query_plans(app) -> list[tuple[str, list[str], float]]:
    """EXPLAIN (QUERY PLAN) of the main catalog queries, as the services issue them, and the
    best of 5 timings of the service call (its queries and ORM loading, no template)."""
    from sqlalchemy import event

    from marketplace.catalog import services
    from marketplace.catalog.models import KINDS
    from marketplace.catalog.services import CatalogFilter
    from marketplace.extensions import db

    cases = {
        "catalog": lambda: services.browse(CatalogFilter(), limit=24, with_tiers=False),
        "catalog, middle page": lambda: services.browse(
            CatalogFilter(), limit=24, before_id=app.bench_count // 2, with_tiers=False
        ),
        "kind=catch": lambda: services.browse(
            CatalogFilter(kind="catch"), limit=24, with_tiers=False
        ),
        "species": lambda: services.browse(
            CatalogFilter(species="chum_salmon"), limit=24, with_tiers=False
        ),
        "port": lambda: services.browse(CatalogFilter(port="esashi"), limit=24, with_tiers=False),
        "temperature=frozen": lambda: services.browse(
            CatalogFilter(temperature="frozen"), limit=24, with_tiers=False
        ),
        "search, common word": lambda: services.browse(
            CatalogFilter(q="ホタテ"), limit=24, with_tiers=False
        ),
        "species + port": lambda: services.browse(
            CatalogFilter(species="chum_salmon", port="esashi"), limit=24, with_tiers=False
        ),
        "free-text species": lambda: services.browse(
            CatalogFilter(species="謎の魚"), limit=24, with_tiers=False
        ),
        "search, no match": lambda: services.browse(
            CatalogFilter(q="クジラ"), limit=24, with_tiers=False
        ),
        "seller": lambda: services.browse(CatalogFilter(seller_id=3), limit=24, with_tiers=False),
        "home sections": lambda: services.newest_by_kind(KINDS, limit=8),
        "listing": lambda: services.live_listing(app.bench_count - 10),
    }
    plans = []
    with app.test_request_context():
        engine = db.engine
        pg = engine.dialect.name == "postgresql"
        for name, run in cases.items():
            captured = []

            def grab(conn, cursor, statement, parameters, context, executemany, captured=captured):
                captured.append((statement, parameters))

            event.listen(engine, "before_cursor_execute", grab)
            try:
                run()
            finally:
                event.remove(engine, "before_cursor_execute", grab)
            statement, parameters = captured[0]  # the main query; the rest load photos by id
            prefix = "EXPLAIN (COSTS OFF) " if pg else "EXPLAIN QUERY PLAN "
            rows = db.session.connection().exec_driver_sql(prefix + statement, parameters).all()
            db.session.rollback()
            best = float("inf")
            for _ in range(5):
                db.session.expunge_all()
                started = time.perf_counter()
                run()
                best = min(best, time.perf_counter() - started)
                db.session.rollback()
            plans.append((name, [str(row[0]) if pg else str(row[-1]) for row in rows], best * 1000))
        db.session.remove()
        engine.dispose()
    return plans


# --- servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`gunicorn <app>` with 2 sync workers on a free loopback port, in its own process group."""

    def __init__(self, app_spec: str, env: dict, log: Path, pythonpath: str | None = None):
        self.port = free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
        ]
        if pythonpath:
            command += ["--pythonpath", pythonpath]
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [*command, app_spec],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )

    def wait_ready(self, path: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited ({self.process.returncode}); see {self.log.name}"
                )
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}{path}", timeout=5
                ) as response:  # noqa: S310
                    if response.status == 200 and len(self.worker_pids()) == WORKERS:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer on port {self.port}")

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as response:  # noqa: S310
            return response.read()

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def cpu_seconds(self) -> float:
        """User+system CPU the workers have used so far."""
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> list[float]:
        peaks = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            kb = int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1))
            peaks.append(kb / 1024)
        return peaks

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# --- load ----------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    cpu_ms: float = float("nan")  # worker CPU per request
    notes: list[str] = field(default_factory=list)


BUST_LUA = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. SEP .. "bust=" .. counter)
end
"""

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def run_wrk(
    port: int, path: str, *, bust: bool, seconds: float, connections: int, workdir: Path
) -> Result:
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if bust:
        script = workdir / ("bust_amp.lua" if "?" in path else "bust_q.lua")
        script.write_text(BUST_LUA.replace("SEP", '"&"' if "?" in path else '"?"'))
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.M))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)$", output, re.M)
    result = Result(
        name=path,
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_ms(latency["50"]) if "50" in latency else float("nan"),
        p99_ms=_ms(latency["99"]) if "99" in latency else float("nan"),
        requests=requests,
        errors=int(errors.group(1)) if errors else 0,
    )
    if socket_errors:
        result.notes.append("socket errors: " + socket_errors.group(1))
    return result


def run_python(
    port: int,
    path: str,
    *,
    bust: bool,
    seconds: float,
    connections: int,
    max_requests: int = 200_000,
) -> Result:
    """A bounded load generator: `connections` threads, until `seconds` pass or `max_requests`."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors = 0
    counter = 0
    deadline = time.perf_counter() + seconds
    sep = "&" if "?" in path else "?"

    def worker():
        nonlocal errors, counter
        conn = None
        while time.perf_counter() < deadline:
            with lock:
                if counter >= max_requests:
                    return
                counter += 1
                n = counter
            target = f"{path}{sep}bust={n}" if bust else path
            started = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", target)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                if response.will_close:
                    conn.close()
                    conn = None
            except OSError:
                ok = False
                conn = None
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors += not ok

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    quantiles = (
        statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    )
    return Result(
        path,
        len(latencies) / wall,
        quantiles[49] * 1000,
        quantiles[98] * 1000,
        len(latencies),
        errors,
    )


class Load:
    """Runs every scenario in short interleaved rounds, so that a machine whose load changes
    while we measure (other processes) hurts all scenarios alike; reports the median round."""

    def __init__(self, client: str, seconds: float, rounds: int, connections: int, workdir: Path):
        self.client, self.seconds, self.rounds = client, seconds, rounds
        self.connections, self.workdir = connections, workdir

    def run_all(self, scenarios: list[tuple[str, Gunicorn, str, bool]]) -> list[Result]:
        runs: dict[str, list[tuple[Result, float]]] = {name: [] for name, *_ in scenarios}
        for _name, server, path, bust in scenarios:  # warm every worker's pools and caches
            self._one(server.port, path, bust=bust, seconds=min(1.0, self.seconds / 2))
        for _round in range(self.rounds):
            for name, server, path, bust in scenarios:
                cpu = server.cpu_seconds()
                result = self._one(server.port, path, bust=bust, seconds=self.seconds)
                runs[name].append((result, server.cpu_seconds() - cpu))
        return [self._combine(name, runs[name]) for name, *_ in scenarios]

    @staticmethod
    def _combine(name: str, runs: list[tuple[Result, float]]) -> Result:
        results = [r for r, _ in runs]
        requests = sum(r.requests for r in results)
        return Result(
            name=name,
            rps=statistics.median(r.rps for r in results),
            p50_ms=statistics.median(r.p50_ms for r in results),
            p99_ms=statistics.median(r.p99_ms for r in results),
            requests=requests,
            errors=sum(r.errors for r in results),
            cpu_ms=1000 * sum(cpu for _, cpu in runs) / requests if requests else float("nan"),
            notes=[n for r in results for n in r.notes],
        )

    def _one(self, port: int, path: str, *, bust: bool, seconds: float) -> Result:
        if self.client == "wrk":
            return run_wrk(
                port,
                path,
                bust=bust,
                seconds=seconds,
                connections=self.connections,
                workdir=self.workdir,
            )
        return run_python(port, path, bust=bust, seconds=seconds, connections=self.connections)


# --- weight --------------------------------------------------------------------------------


def page_weight(shop: Gunicorn, html: bytes) -> dict:
    """gzip-compressed bytes of the page's HTML and of the CSS and JS it loads."""
    text = html.decode("utf-8")
    css = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', text)
    css += [
        h
        for h in re.findall(r'<link[^>]+href="([^"]+)"[^>]+rel="stylesheet"', text)
        if h not in css
    ]
    js = re.findall(r'<script[^>]+src="([^"]+)"', text)
    sizes = {"html_raw": len(html), "html_gz": len(gzip.compress(html, 6))}
    sizes["css_gz"] = sum(len(gzip.compress(shop.get(href), 6)) for href in css)
    sizes["js_gz"] = sum(len(gzip.compress(shop.get(src), 6)) for src in js)
    sizes["total_gz"] = sizes["html_gz"] + sizes["css_gz"] + sizes["js_gz"]
    sizes["files"] = len(css) + len(js)
    return sizes


# --- one size ------------------------------------------------------------------------------


def measure_size(
    args, count: int, env: dict, workdir: Path, load: Load, listing_id: int, seller_id: int
) -> dict:
    log = workdir / "gunicorn.log"
    shop = Gunicorn("wsgi:app", env, log)
    bare = None
    try:
        shop.wait_ready("/catalog")
        pages = {
            "home": "/",
            "catalog": "/catalog",
            "listing": f"/listings/{listing_id}",
        }
        bare_dir = workdir / "bare"
        shutil.rmtree(bare_dir, ignore_errors=True)
        bare_dir.mkdir()
        captured = {}
        for name, path in pages.items():
            captured[name] = shop.get(path)
            (bare_dir / f"{name}.html").write_bytes(captured[name])
        bare = Gunicorn(
            "bare_app:app",
            {**env, "BARE_PAGES": str(bare_dir)},
            log,
            pythonpath=str(ROOT / "benchmarks"),
        )
        bare.wait_ready("/catalog")
        assert bare.get("/catalog") == captured["catalog"]

        scenarios = [
            ("bare: /catalog bytes", bare, "/catalog", False),
            ("bare: /listings bytes", bare, "/listing", False),
            ("/  cached", shop, "/", False),
            ("/catalog  cached", shop, "/catalog", False),
            ("/listings/<id>  cached", shop, pages["listing"], False),
            ("/  render", shop, "/", True),
            ("/catalog  render", shop, "/catalog", True),
            ("/catalog?kind&temp  render", shop, "/catalog?kind=catch&temperature=chilled", True),
            (
                "/catalog?species&port  render",
                shop,
                "/catalog?species=chum_salmon&port=esashi",
                True,
            ),
            ("/catalog?q=<common>  render", shop, "/catalog?q=%E3%83%9B%E3%82%BF%E3%83%86", True),
            # a word no listing has: the search reads every live listing (see README)
            (
                "/catalog?q=<no match>  render",
                shop,
                "/catalog?q=%E3%82%AF%E3%82%B8%E3%83%A9",
                True,
            ),
            ("/catalog?cursor  render", shop, f"/catalog?cursor={count // 2}", True),
            ("/listings/<id>  render", shop, pages["listing"], True),
            ("/sellers/<id>  render", shop, f"/sellers/{seller_id}", True),
        ]
        load_before = os.getloadavg()[0]
        results = load.run_all(scenarios)
        weights = {name: page_weight(shop, html) for name, html in captured.items()}
        return {
            "count": count,
            "results": results,
            "rss_shop": shop.peak_rss_mb(),
            "rss_bare": bare.peak_rss_mb(),
            "weights": weights,
            "load": (load_before, os.getloadavg()[0]),
        }
    finally:
        shop.stop()
        if bare is not None:
            bare.stop()


# --- report --------------------------------------------------------------------------------


def _bare_for(name: str, results: dict[str, Result]) -> Result:
    return results["bare: /listings bytes" if "listing" in name else "bare: /catalog bytes"]


def print_size(report: dict) -> None:
    results = {r.name: r for r in report["results"]}
    print(
        f"\n== {report['count']:,} live listings (load average {report['load'][0]:.1f} -> {report['load'][1]:.1f}) =="
    )
    print(
        f"{'page':<32} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'vs bare':>7} {'CPU ms/req':>10} {'requests':>8} {'errors':>6}"
    )
    for r in report["results"]:
        ratio = "" if r.name.startswith("bare") else f"{r.rps / _bare_for(r.name, results).rps:.2f}"
        print(
            f"{r.name:<32} {r.rps:>7.0f} {r.p50_ms:>7.2f} {r.p99_ms:>7.2f} {ratio:>7} {r.cpu_ms:>10.3f} {r.requests:>8} {r.errors:>6}"
        )
        for note in sorted(set(r.notes)):
            print(f"    {note}")
    shop = ", ".join(f"{mb:.0f} MB" for mb in report["rss_shop"])
    bare = ", ".join(f"{mb:.0f} MB" for mb in report["rss_bare"])
    print(f"peak RSS per gunicorn worker (VmHWM): shop {shop}; bare {bare}")
    print(
        f"{'weight (gzip -6)':<16} {'HTML':>8} {'HTML gz':>8} {'CSS gz':>7} {'JS gz':>6} {'total gz':>9}  budget 60 KB"
    )
    for name, w in report["weights"].items():
        verdict = "ok" if w["total_gz"] < WEIGHT_BUDGET else "OVER"
        print(
            f"{name:<16} {w['html_raw'] / 1024:>7.1f}K {w['html_gz'] / 1024:>7.1f}K {w['css_gz'] / 1024:>6.1f}K {w['js_gz'] / 1024:>5.1f}K {w['total_gz'] / 1024:>8.1f}K  {verdict}"
        )


def print_summary(reports: list[dict]) -> None:
    print("\n== summary ==")
    for report in reports:
        results = {r.name: r for r in report["results"]}
        for page in ("/catalog  cached", "/  cached", "/listings/<id>  cached"):
            r, bare = results[page], _bare_for(page, results)
            ratio = r.rps / bare.rps
            verdict = "meets" if ratio >= RATIO_BAR else "MISSES"
            print(
                f"{report['count']:>7,} listings  {page:<24} {ratio:.2f} x bare req/s ({verdict} the 0.5 bar);"
                f" by worker CPU per request {bare.cpu_ms / r.cpu_ms:.2f}"
            )
    if len(reports) >= 2:
        small, large = ({r.name: r for r in rep["results"]} for rep in (reports[0], reports[-1]))
        print(
            f"render (cache defeated) p50 latency and CPU per request, {reports[0]['count']:,} -> {reports[-1]['count']:,} listings:"
        )
        for name, r in large.items():
            if name.endswith("render"):
                before = small[name]
                print(
                    f"  {name:<32} {before.p50_ms:6.2f} -> {r.p50_ms:6.2f} ms p50"
                    f"   {before.cpu_ms:6.2f} -> {r.cpu_ms:6.2f} ms CPU (x{r.cpu_ms / before.cpu_ms:.2f})"
                )


def print_plans(sizes: list[int], plans_by_size: list[list]) -> None:
    print("\n== catalog queries: service call time (SQL + ORM, no template), best of 5 ==")
    print(f"{'query':<22}" + "".join(f"{f'{n:,} listings':>18}" for n in sizes))
    for row in zip(*plans_by_size, strict=True):
        print(f"{row[0][0]:<22}" + "".join(f"{ms:>15.2f} ms" for _, _, ms in row))
    print(f"\n== query plans at {sizes[-1]:,} listings (main query of each page) ==")
    for name, lines, _ in plans_by_size[-1]:
        print(f"{name}:")
        for line in lines:
            print(f"    {line}")


# --- main ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="1000,100000", help="listing counts, ascending [%(default)s]"
    )
    parser.add_argument(
        "--seconds", type=float, default=2, help="length of one round of one scenario [%(default)s]"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved rounds per scenario [%(default)s]"
    )
    parser.add_argument(
        "--connections", type=int, default=4, help="concurrent connections [%(default)s]"
    )
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument(
        "--reset", action="store_true", help="PostgreSQL: drop the database's public schema first"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    sizes = sorted(int(s) for s in args.sizes.split(","))
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    workdir = Path(tempfile.mkdtemp(prefix="hamaichi-bench-"))
    media = workdir / "media"
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}"
    env = {
        **os.environ,
        "HAMAICHI_ENV": "production",
        "SECRET_KEY": "benchmark-" + os.urandom(8).hex(),
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
        "OUTBOX_AFTER_COMMIT": "off",
        "BASE_URL": "http://127.0.0.1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    database = "PostgreSQL" if database_url.startswith("postgres") else "SQLite file"
    print(
        f"Hamaichi catalog benchmark: {database}, gunicorn {WORKERS} sync workers, client {client} ({args.connections} connections, {args.rounds} rounds of {args.seconds:g} s per scenario), {os.cpu_count()} CPUs"
    )
    print(f"work directory: {workdir}")

    started = time.perf_counter()
    app = make_app(database_url, media)
    prepare_schema(app, reset=args.reset)
    load = Load(client, args.seconds, args.rounds, args.connections, workdir)
    state: dict = {}
    reports = []
    plans_by_size = []
    try:
        for count in sizes:
            took = grow(app, count, state)
            print(f"\nbuilt {count:,} listings in {took:.1f} s")
            # a recent catch with two photos and price tiers
            listing_id = next(i for i in range(count, 0, -1) if i % 4 == 0 and i % 3 == 2)
            app.bench_count = count
            report = measure_size(args, count, env, workdir, load, listing_id, seller_id=3)
            print_size(report)
            reports.append(report)
            plans_by_size.append(query_plans(app))
        print_plans(sizes, plans_by_size)
        print_summary(reports)
        print(f"\ntotal time {time.perf_counter() - started:.0f} s")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
