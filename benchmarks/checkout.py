"""Checkout under contention: concurrent buyers POST /api/v1/checkouts on PostgreSQL.

    .venv/bin/python benchmarks/checkout.py                 # 50 buyers, 5 scarce + 10,000 pieces
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench .venv/bin/python benchmarks/checkout.py
    .venv/bin/python benchmarks/checkout.py --buyers 20 --per-buyer 3 --seconds 60

It (re)builds the database from the app's migrations (the public schema is dropped first, as
`benchmarks/catalog.py --reset` does; a database whose name does not contain "bench" is only
reset with --reset, and one that does not exist yet is created), makes one approved seller with
piece listings (`scarce`: 5 pieces, `plenty`: 10,000, `pair_a`/`pair_b`: 10,000 each, `probe`:
1,000 to find a delivery date that validates, trying 3..8 days ahead first), starts localstripe
on a free loopback port (as the tests do, marketplace/demo/local_shop.py) and the shop under
gunicorn with 2 sync workers (`--workers`) on another, with rate limits off,
OUTBOX_AFTER_COMMIT=off, RESERVATION_MINUTES=60 and STRIPE_API_BASE pointing at localstripe.

Then, with `--buyers` threads (each one guest session, its own cookies, one connection per
request, as gunicorn's sync workers close every connection), released together by a barrier:
  1. scarce: every buyer asks for 1 piece of the 5;
  2. plenty: every buyer makes `--per-buyer` checkouts of 1-3 pieces back to back;
  3. pairs (only with --pairs): every buyer makes `--per-buyer` checkouts of a cart holding
     1 piece of pair_a and 1 of pair_b, in random order.
Each phase stops issuing requests after `--seconds`; every request has a 30 s timeout.

It prints checkouts/s (201s per second of wall time), p50/p99 latency of all answers (and of the
201s), the count of 201 / 409 out_of_stock / anything else, the workers' and localstripe's CPU
per request, the exceptions in the shop's log, and checks the database afterwards: for each
listing, stock before - stock after = the sum of the quantities held by live checkouts
(awaiting payment, not expired) = the sum of the 201s' quantities; stock is never negative; the
scarce listing sold exactly its 5 pieces; no answer other than 201 and 409 out_of_stock. It
exits with status 1 when a check fails, 2 when the endpoint answers 404. Only 127.0.0.1 is
contacted; every process it starts (gunicorn and its workers, localstripe) stops when it ends,
also when it is killed.

Everything runs on the same machine: the buyers' threads, gunicorn, localstripe and PostgreSQL
share its cores, so the figures are a floor for what the app does, not a capacity plan.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from catalog import make_app, prepare_schema  # noqa: E402 - benchmarks/catalog.py, next to us

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench"
WORKERS = 2
REQUEST_TIMEOUT = 30
PATH = "/api/v1/checkouts"
SLOT = "14-16"
STOCK = {"scarce": 5, "plenty": 10_000, "pair_a": 10_000, "pair_b": 10_000, "probe": 1_000}


# --- the database --------------------------------------------------------------------------


def ensure_database(database_url: str, *, reset: bool) -> None:
    """Create the database if it does not exist; refuse to wipe one not meant for benchmarks."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if not url.drivername.startswith("postgresql"):
        sys.exit("benchmarks/checkout.py needs PostgreSQL (SQLite serialises writers anyway).")
    if "bench" not in (url.database or "") and not reset:
        sys.exit(
            f"Refusing to drop the schema of database {url.database!r}: pass --reset, or use a "
            "database whose name contains 'bench'."
        )
    params = {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username or "postgres",
        "dbname": "postgres",
    }
    if url.password:
        params["password"] = url.password
    with psycopg.connect(**params, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{url.database}"')
            print(f"created database {url.database}")


def seed(app) -> dict[str, int]:
    """One approved seller with a listing per entry of STOCK (piece units); returns their ids."""
    from marketplace import db as tx
    from marketplace.accounts import services as accounts
    from marketplace.catalog import services as catalog
    from marketplace.extensions import db

    ids = {}
    with app.test_request_context():
        seller = accounts.create_user("bench-seller@example.jp", "bench-seller-password", "seller")
        profile = seller.seller
        profile.kind, profile.name, profile.home_port = "fisher", "第八 浜丸", "枝幸"
        profile.boat_name, profile.fishing_method = "浜丸", "定置網"
        profile.member_number = "E-1234"
        accounts.approve_seller_now(seller)
        tx.commit()
        for name, pieces in STOCK.items():
            listing = catalog.create_listing(
                seller,
                {
                    "kind": "product",
                    "title": f"するめ ({name})",
                    "species": "するめ",
                    "unit": "piece",
                    "price_jpy": 800,
                    "quantity": str(pieces),
                    "temperature": "ambient",
                },
            )
            tx.commit()
            ids[name] = listing.id
        db.session.remove()
        db.engine.dispose()
    return ids


def stock(app, listing_ids: dict[str, int]) -> dict[str, Decimal]:
    from sqlalchemy import select

    from marketplace.catalog.models import Listing
    from marketplace.extensions import db

    with app.app_context():
        rows = dict(
            db.session.execute(
                select(Listing.id, Listing.quantity_available).where(
                    Listing.id.in_(list(listing_ids.values()))
                )
            ).all()
        )
        db.session.remove()
        db.engine.dispose()
    return {name: rows[listing_id] for name, listing_id in listing_ids.items()}


def holds(app, listing_id: int) -> dict:
    """What the database says the checkouts hold of one listing."""
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.inventory.models import Reservation
    from marketplace.orders.models import Checkout, Order, OrderLine
    from marketplace.timeutil import now

    with app.app_context():
        at = now()
        states = Counter()
        state_quantity: dict[str, Decimal] = {}
        for state, quantity in db.session.execute(
            select(Reservation.state, Reservation.quantity).where(
                Reservation.listing_id == listing_id
            )
        ):
            states[state] += 1
            state_quantity[state] = state_quantity.get(state, Decimal(0)) + quantity
        live = db.session.execute(
            select(Reservation.quantity, OrderLine.quantity)
            .join(OrderLine, Reservation.order_line_id == OrderLine.id)
            .join(Order, OrderLine.order_id == Order.id)
            .join(Checkout, Order.checkout_id == Checkout.id)
            .where(
                Reservation.listing_id == listing_id,
                Reservation.state.in_(("held", "sold")),
                Checkout.status == "awaiting_payment",
                Checkout.expires_at > at,
                Order.status == "awaiting_payment",
            )
        ).all()
        db.session.remove()
        db.engine.dispose()
    return {
        "states": dict(states),
        "state_quantity": state_quantity,
        "live_count": len(live),
        "live_reserved": sum((r for r, _ in live), Decimal(0)),
        "live_ordered": sum((q for _, q in live), Decimal(0)),
    }


# --- servers -------------------------------------------------------------------------------


def start_servers(env: dict, stack: list, log: Path, workers: int = WORKERS):
    """localstripe, then gunicorn with the shop (its output to `log`); both on fresh loopback
    sockets, both stopping by themselves when this process is gone (as `flask demo run`'s do).
    The children go on `stack` as soon as they run, so that the caller stops them whatever
    happens."""
    from marketplace.demo import local_shop
    from marketplace.demo.loopback import PARENT_ENV, listening_socket

    stripe_child, stripe_base = local_shop.start_localstripe(listening_socket(0))
    stack.append(stripe_child)
    sock = listening_socket(0)
    port = sock.getsockname()[1]
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        *("--config", "python:marketplace.demo.gunicorn_settings"),  # exit with this process
        *("--bind", f"fd://{sock.fileno()}"),
        *("--workers", str(workers)),
        *("--log-level", "warning"),
        *("--graceful-timeout", "5"),
        "wsgi:app",
    ]
    with log.open("ab") as out:
        try:
            process = subprocess.Popen(  # noqa: S603 - our own fixed command line
                argv,
                pass_fds=(sock.fileno(),),
                start_new_session=True,
                env={**env, "STRIPE_API_BASE": stripe_base, PARENT_ENV: str(os.getpid())},
                cwd=ROOT,
                stdout=out,
                stderr=out,
            )
        finally:
            sock.close()
    web_child = local_shop.Child("gunicorn", process)
    stack.append(web_child)
    deadline = time.monotonic() + 30
    while len(_children(process.pid)) < workers or not _answers(port):
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"gunicorn did not start; see {log}:\n{log.read_text()[-2000:]}")
        time.sleep(0.1)
    return stripe_child, web_child, port


def _answers(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/api/v1/openapi.json")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def server_errors(log: Path) -> Counter:
    """The exceptions the shop logged (gunicorn's error log holds the app's tracebacks)."""
    found: Counter = Counter()
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    for line in lines:
        if (
            line
            and not line[0].isspace()
            and re.match(r"^[\w.]+(Error|Exception|Detected)\b", line)
        ):
            found[line.split(":", 1)[0] + ": " + line.split(":", 1)[1].strip()[:90]] += 1
    return found


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


# --- buyers --------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    code: str  # "created", "out_of_stock", the error code, or the exception's name
    seconds: float
    items: dict[int, int]  # listing id -> pieces asked for
    body: str = ""


@dataclass
class Buyer:
    port: int
    number: int
    cookies: dict[str, str] = field(default_factory=dict)

    def post(self, payload: dict) -> tuple[int, dict | None, str]:
        body = json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Accept-Language": "ja",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request("POST", PATH, body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
        finally:
            conn.close()
        text = raw.decode("utf-8", "replace")
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        return response.status, data, text

    def checkout(self, items: list[tuple[int, int]], day: str) -> Answer:
        asked = dict(items)
        payload = {
            "items": [{"listing_id": i, "quantity": str(q)} for i, q in items],
            "email": f"buyer{self.number}@example.jp",
            "ship_to": {
                "name": f"買い手 {self.number}",
                "postal_code": "100-0001",
                "prefecture": "東京都",
                "city": "千代田区",
                "address_line1": "千代田1-1",
                "phone": "03-1234-5678",
            },
            "delivery": {"date": day, "slot": SLOT},
        }
        started = time.perf_counter()
        try:
            status, data, text = self.post(payload)
        except (OSError, http.client.HTTPException) as error:
            return Answer(0, type(error).__name__, time.perf_counter() - started, asked)
        elapsed = time.perf_counter() - started
        if status == 201:
            ok = (
                isinstance(data, dict)
                and data.get("status") == "awaiting_payment"
                and (data.get("payment") or {}).get("setup_intent_client_secret")
            )
            return Answer(status, "created" if ok else "created, odd body", elapsed, asked, text)
        code = (
            (data.get("error") or {}).get("code", "?")
            if isinstance(data, dict) and isinstance(data.get("error"), dict)
            else "no JSON error"
        )
        shown = json.dumps(data, ensure_ascii=False) if isinstance(data, dict) else text
        return Answer(status, code, elapsed, asked, shown[:300])


def find_delivery_date(port: int, listing_id: int) -> str:
    """The first date, from 3 days ahead, that a checkout of the probe listing accepts."""
    from marketplace.timeutil import tokyo_today

    buyer = Buyer(port, 0)
    today = tokyo_today()
    refused = []
    for days in (3, 4, 5, 6, 7, 8, 2, 9, 10, 11, 12, 13, 14, 1):
        day = (today + timedelta(days=days)).isoformat()
        answer = buyer.checkout([(listing_id, 1)], day)
        if answer.status == 201:
            return day
        if answer.status == 404:
            raise ApiMissing(answer.body)
        if answer.status in (400, 422) and "delivery" in answer.body:
            refused.append(day)
            continue
        raise RuntimeError(f"probe checkout for {day}: {answer.status} {answer.code} {answer.body}")
    raise RuntimeError(f"no delivery date validates (tried {', '.join(refused)})")


class ApiMissing(RuntimeError):
    pass


@dataclass
class Phase:
    name: str
    listings: dict[str, Decimal | None]  # the listings it buys -> what it must sell exactly
    answers: list[Answer]
    wall: float
    cpu_shop: float
    cpu_stripe: float
    unfinished: int


def run_phase(
    name: str,
    listings: dict[str, Decimal | None],
    port: int,
    day: str,
    cart: Callable[[random.Random], list[tuple[int, int]]],
    *,
    buyers: int,
    per_buyer: int,
    seconds: float,
    pids,
) -> Phase:
    answers: list[Answer] = []
    lock = threading.Lock()
    barrier = threading.Barrier(buyers)
    deadline_box: list[float] = []

    def buy(number: int) -> None:
        buyer = Buyer(port, number)
        rng = random.Random(number)
        try:
            barrier.wait(timeout=60)
        except threading.BrokenBarrierError:
            return
        for _ in range(per_buyer):
            if time.perf_counter() > deadline_box[0]:
                return
            answer = buyer.checkout(cart(rng), day)
            with lock:
                answers.append(answer)

    threads = [
        threading.Thread(target=buy, args=(n,), daemon=True, name=f"buyer-{n}")
        for n in range(1, buyers + 1)
    ]
    shop_pids, stripe_pid = pids()
    cpu_shop, cpu_stripe = cpu_seconds(shop_pids), cpu_seconds([stripe_pid])
    started = time.perf_counter()
    deadline_box.append(started + seconds)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.1, started + seconds + REQUEST_TIMEOUT + 5 - time.perf_counter()))
    wall = time.perf_counter() - started
    unfinished = sum(thread.is_alive() for thread in threads)
    with lock:
        taken = list(answers)
    return Phase(
        name,
        listings,
        taken,
        wall,
        cpu_seconds(shop_pids) - cpu_shop,
        cpu_seconds([stripe_pid]) - cpu_stripe,
        unfinished,
    )


# --- report --------------------------------------------------------------------------------


def _quantiles(values: list[float]) -> tuple[float, float]:
    if not values:
        return float("nan"), float("nan")
    if len(values) == 1:
        return values[0], values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[98]


def _sold_out(answer: Answer) -> bool:
    return answer.status == 409 and answer.code == "out_of_stock"


def print_phase(phase: Phase) -> None:
    answers = phase.answers
    created = [a for a in answers if a.status == 201]
    sold_out = [a for a in answers if _sold_out(a)]
    other = [a for a in answers if a.status != 201 and not _sold_out(a)]
    p50, p99 = _quantiles([a.seconds for a in answers])
    c50, c99 = _quantiles([a.seconds for a in created])
    n = len(answers)
    print(f"\n== {phase.name} ==")
    print(
        f"requests {n} in {phase.wall:.2f} s: {n / phase.wall:.1f} answers/s, "
        f"{len(created) / phase.wall:.1f} checkouts/s (201)"
    )
    print(f"latency, all answers: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
    if created:
        print(f"latency, 201 only:    p50 {c50 * 1000:.0f} ms, p99 {c99 * 1000:.0f} ms")
    print(
        f"201 created {len(created)}, 409 out_of_stock {len(sold_out)}, other {len(other)}"
        + (f", buyers still waiting at the end {phase.unfinished}" if phase.unfinished else "")
    )
    for (status, code), count in Counter((a.status, a.code) for a in other).most_common():
        sample = next(a.body for a in other if (a.status, a.code) == (status, code))
        print(f"    {count} x {status} {code}: {sample[:200]}")
    if n:
        print(
            f"CPU per request: gunicorn workers {1000 * phase.cpu_shop / n:.1f} ms, "
            f"localstripe {1000 * phase.cpu_stripe / n:.1f} ms"
        )


def _n(quantity: Decimal) -> str:
    return f"{quantity.normalize():f}"


def check(
    phase: Phase,
    name: str,
    listing_id: int,
    before: Decimal,
    after: Decimal,
    held: dict,
) -> list[str]:
    """The database against what the buyers were told about one listing; returns the failures."""
    created = [a for a in phase.answers if a.status == 201 and listing_id in a.items]
    promised = Decimal(sum(a.items[listing_id] for a in created))
    taken = before - after
    exact = phase.listings[name]
    failures = []
    print(
        f"database, {name}: stock {_n(before)} -> {_n(after)} (taken {_n(taken)}); "
        f"live checkouts hold {_n(held['live_reserved'])} in {held['live_count']} reservations "
        f"(order lines {_n(held['live_ordered'])}); 201 answers promised {_n(promised)} in "
        f"{len(created)}; reservations by state {held['states']}"
    )
    if after < 0:
        failures.append(f"{name}: negative stock {_n(after)}")
    if held["live_reserved"] != taken:
        failures.append(
            f"{name}: live reservations {_n(held['live_reserved'])} != stock taken {_n(taken)}"
        )
    if held["live_ordered"] != taken:
        failures.append(f"{name}: live order lines {_n(held['live_ordered'])} != taken {_n(taken)}")
    # A request that got no answer (client timeout) may still have committed its checkout.
    unanswered = [a for a in phase.answers if a.status == 0 and listing_id in a.items]
    slack = Decimal(sum(a.items[listing_id] for a in unanswered))
    if not (
        promised <= taken <= promised + slack
        and len(created) <= held["live_count"] <= len(created) + len(unanswered)
    ):
        failures.append(
            f"{name}: 201s promised {_n(promised)} in {len(created)} checkouts, "
            f"the database holds {_n(taken)} in {held['live_count']}"
            + (f" ({len(unanswered)} requests got no answer)" if unanswered else "")
        )
    elif unanswered:
        print(
            f"    {name}: {held['live_count'] - len(created)} of the {len(unanswered)} requests "
            "that got no answer made a checkout anyway (the buyer was never told)"
        )
    if exact is not None and taken != exact:
        failures.append(f"{name}: sold {_n(taken)}, expected exactly {_n(exact)}")
    return failures


# --- main ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--buyers", type=int, default=50, help="concurrent buyers [%(default)s]")
    parser.add_argument(
        "--per-buyer",
        type=int,
        default=10,
        help="checkouts per buyer in the plenty phase [%(default)s]",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=120,
        help="a phase issues no new request after this long [%(default)s]",
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="drop the public schema even if the database's name does not contain 'bench'",
    )
    parser.add_argument(
        "--workers", type=int, default=WORKERS, help="gunicorn sync workers [%(default)s]"
    )
    parser.add_argument(
        "--pairs",
        action="store_true",
        help="a third phase: carts of two listings of one seller, in random order",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    if not 1 <= args.buyers <= 500 or not 1 <= args.per_buyer <= 100:
        parser.error("--buyers must be 1..500 and --per-buyer 1..100")
    if not 1 <= args.workers <= 32:
        parser.error("--workers must be 1..32")

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    workdir = Path(tempfile.mkdtemp(prefix="hamaichi-checkout-bench-"))
    media = workdir / "media"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "STRIPE_API_BASE")},
        "HAMAICHI_ENV": "production",
        "SECRET_KEY": "benchmark-" + os.urandom(8).hex(),
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
        "OUTBOX_AFTER_COMMIT": "off",
        "RATELIMIT_ENABLED": "0",
        "RESERVATION_MINUTES": "60",  # holds outlive the run, so the checks see them all
        "BASE_URL": "http://127.0.0.1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    print(
        f"Hamaichi checkout benchmark: PostgreSQL {database_url.rsplit('/', 1)[-1]}, gunicorn "
        f"{args.workers} sync workers, localstripe, {args.buyers} buyers, {os.cpu_count()} CPUs "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    started = time.perf_counter()
    stack: list = []
    failures: list[str] = []
    try:
        ensure_database(database_url, reset=args.reset)
        app = make_app(database_url, media)
        prepare_schema(app, reset=True)
        ids = seed(app)
        print(f"seeded listings {ids}")
        log = workdir / "gunicorn.log"
        stripe_child, web_child, port = start_servers(env, stack, log, args.workers)
        print(f"shop on 127.0.0.1:{port}, localstripe pid {stripe_child.process.pid}")

        def pids():
            return _children(web_child.process.pid), stripe_child.process.pid

        try:
            day = find_delivery_date(port, ids["probe"])
        except ApiMissing as missing:
            print(f"POST {PATH} answered 404: the checkout API is not there yet. {missing}"[:400])
            return 2
        print(f"delivery date {day}, slot {SLOT}")
        before = stock(app, ids)
        common = {"buyers": args.buyers, "seconds": args.seconds, "pids": pids}
        phases = [
            run_phase(
                f"scarce: {args.buyers} buyers at once for 1 of {STOCK['scarce']} pieces",
                {"scarce": Decimal(min(STOCK["scarce"], args.buyers))},
                port,
                day,
                lambda rng: [(ids["scarce"], 1)],
                per_buyer=1,
                **common,
            ),
            run_phase(
                f"plenty: {args.buyers} buyers x {args.per_buyer} checkouts of 1-3 of "
                f"{STOCK['plenty']:,} pieces",
                {"plenty": None},
                port,
                day,
                lambda rng: [(ids["plenty"], rng.choice((1, 2, 3)))],
                per_buyer=args.per_buyer,
                **common,
            ),
        ]
        if args.pairs:
            phases.append(
                run_phase(
                    f"pairs: {args.buyers} buyers x {args.per_buyer} carts of two listings "
                    "(1 piece each, in random order)",
                    {"pair_a": None, "pair_b": None},
                    port,
                    day,
                    lambda rng: rng.sample([(ids["pair_a"], 1), (ids["pair_b"], 1)], 2),
                    per_buyer=args.per_buyer,
                    **common,
                )
            )
        after = stock(app, ids)
        for phase in phases:
            print_phase(phase)
        print()
        for phase in phases:
            for name in phase.listings:
                failures += check(
                    phase, name, ids[name], before[name], after[name], holds(app, ids[name])
                )
        for phase in phases:
            if phase.unfinished:
                failures.append(f"{phase.name}: {phase.unfinished} buyers did not finish in time")
            other = [a for a in phase.answers if a.status != 201 and not _sold_out(a)]
            if other:
                failures.append(
                    f"{phase.name.split(':')[0]}: {len(other)} answers neither 201 nor 409 out_of_stock"
                )
        errors = server_errors(log)
        if errors:
            print(
                f"\nexceptions in the shop's log ({log.read_text(errors='replace').count('Traceback')} tracebacks):"
            )
            for line, count in errors.most_common(8):
                print(f"  {count} x {line}")
        print(
            "\nchecks: " + ("all passed" if not failures else "FAILED\n  " + "\n  ".join(failures))
        )
        print(f"total time {time.perf_counter() - started:.0f} s")
    finally:
        for child in reversed(stack):
            child.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
