"""The demo village (`flask demo load`), the one-command local shop (`flask demo run`), the
operators' `flask users create`, and the localstripe fixture that payment tests will use."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import SellerProfile, User
from marketplace.catalog.models import Listing, ListingPhoto, PriceTier
from marketplace.config import ROOT
from marketplace.demo.village import OFFERS, PASSWORD, PEOPLE

from .conftest import free_port, sign_in


def _count(db, query) -> int:
    return db.session.scalar(query)


def test_demo_load_fills_an_empty_database(app, db, client):
    result = app.test_cli_runner().invoke(args=["demo", "load"])

    assert result.exit_code == 0, result.output
    assert f"{len(OFFERS)} listings" in result.output
    for person in PEOPLE:  # every login is printed, with the password
        assert person.email in result.output
    assert PASSWORD in result.output

    roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert roles == {"admin": 1, "seller": 6, "restaurant": 1, "customer": 1}
    statuses = dict(
        db.session.execute(
            select(SellerProfile.status, func.count()).group_by(SellerProfile.status)
        ).all()
    )
    assert statuses == {"approved": 5, "pending": 1}
    assert len(OFFERS) >= 30
    assert _count(db, select(func.count(Listing.id))) == len(OFFERS)
    assert _count(db, select(func.count(PriceTier.id))) >= 5
    products = db.session.scalars(select(Listing).where(Listing.kind == "product")).all()
    assert products and all(p.best_before and p.unit == "piece" for p in products)
    assert {listing.unit for listing in db.session.scalars(select(Listing))} == {"kg", "piece"}
    assert all(
        isinstance(listing.price_jpy, int) for listing in db.session.scalars(select(Listing))
    )
    ports = {p.home_port_code for p in db.session.scalars(select(SellerProfile))}
    assert {"esashi", "omu", "monbetsu", "sarufutsu"} <= ports

    # Every listing and every seller has a photo, stored through the upload pipeline.
    media = Path(app.config["MEDIA_ROOT"])
    keys = set(db.session.scalars(select(ListingPhoto.key))) | {
        p.photo_key for p in db.session.scalars(select(SellerProfile))
    }
    assert _count(db, select(func.count(Listing.id)).where(~Listing.photos.any())) == 0
    assert None not in keys
    for key in keys:
        assert (media / f"{key}-thumb.webp").stat().st_size <= 30_000
        assert (media / f"{key}-large.webp").is_file()

    # The public catalog shows them, filters work, and the photos are served.
    home = client.get("/").get_data(as_text=True)
    assert "浜茹で毛ガニ" in home and "-thumb.webp" in home
    esashi = client.get("/catalog?port=esashi").get_data(as_text=True)
    assert "毛ガニ" in esashi and "ホタテ貝柱" not in esashi
    english = client.get("/catalog?q=scallop", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Live scallops in the shell" in english
    photo = db.session.scalars(select(ListingPhoto.key)).first()
    with client.get(f"/media/{photo}-thumb.webp") as served:
        assert served.status_code == 200 and served.mimetype == "image/webp"

    # The cooperative has an application to decide.
    sign_in(client, User.query.filter_by(role="admin").one(), PASSWORD)
    applications = client.get("/admin/applications").get_data(as_text=True)
    assert "山本 翔" in applications
    assert "佐藤 浩二" in applications  # among the recent decisions

    # Loading twice is refused, and changes nothing.
    again = app.test_cli_runner().invoke(args=["demo", "load"])
    assert again.exit_code == 1
    assert "already has users" in again.output
    assert _count(db, select(func.count(Listing.id))) == len(OFFERS)


def test_demo_load_refuses_a_database_with_users(app, db, make):
    make.user()
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "already has users" in result.output
    assert _count(db, select(func.count(Listing.id))) == 0


def test_demo_load_asks_for_migrations_first(app, db):
    db.drop_all()
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "db upgrade" in result.output


# --- flask users create --------------------------------------------------------------------


def test_users_create_approved_seller_can_list_at_once(app, client):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "Fisher@Example.jp",
            "--role",
            "seller",
            "--password",
            "a long password",
            "--approved",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "created seller fisher@example.jp" in result.output

    token = client.post(
        "/api/v1/auth/token", json={"email": "fisher@example.jp", "password": "a long password"}
    )
    assert token.status_code == 200, token.get_data(as_text=True)
    assert token.json["user"]["role"] == "seller"
    created = client.post(
        "/api/v1/listings",
        json={
            "kind": "catch",
            "species": "Chum salmon",
            "unit": "kg",
            "price_jpy": 1500,
            "quantity": "3",
        },
        headers={"Authorization": f"Bearer {token.json['token']}"},
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.json["seller"]["name"] is None  # no profile yet, and that is fine
    assert client.get(f"/api/v1/listings/{created.json['id']}").status_code == 200


def test_users_create_admin_and_customer(app, client):
    runner = app.test_cli_runner()
    for email, role in (("boss@example.jp", "admin"), ("guest@example.jp", "customer")):
        result = runner.invoke(
            args=["users", "create", email, "--role", role, "--password", "a long password"]
        )
        assert result.exit_code == 0, result.output
    admin = User.query.filter_by(email="boss@example.jp").one()
    sign_in(client, admin, "a long password")
    assert client.get("/admin/applications").status_code == 200


def test_users_create_refuses_bad_input(app, db):
    runner = app.test_cli_runner()
    short = runner.invoke(
        args=["users", "create", "a@example.jp", "--role", "customer", "--password", "short"]
    )
    assert short.exit_code == 1 and "10" in short.output
    ok = runner.invoke(args=["users", "create", "a@example.jp", "--password", "a long password"])
    assert ok.exit_code == 0
    twice = runner.invoke(args=["users", "create", "A@example.jp", "--password", "a long password"])
    assert twice.exit_code == 1 and "email" in twice.output
    assert _count(db, select(func.count(User.id))) == 1


# --- localstripe ---------------------------------------------------------------------------


def test_localstripe_fixture_serves_the_stripe_library(localstripe):
    import stripe

    assert localstripe.startswith("http://127.0.0.1:")
    client = stripe.StripeClient("sk_test_hamaichi", base_addresses={"api": localstripe})
    customer = client.v1.customers.create(params={"email": "buyer@example.jp"})
    assert customer.id.startswith("cus_")
    assert client.v1.customers.retrieve(customer.id).email == "buyer@example.jp"


# --- flask demo run, end to end --------------------------------------------------------------


def _descendants(pid: int) -> set[int]:
    """All processes below `pid`, from /proc (Linux)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        children = {p for p, pp in parents.items() if pp == parent}
        todo.extend(children - found)
        found |= children
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _listeners() -> dict[int, set[str]]:
    """Listening TCP ports and the addresses they are bound to (IPv4 and IPv6)."""
    ports: dict[int, set[str]] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                address, port = fields[1].split(":")
                ports.setdefault(int(port, 16), set()).add(address)
    return ports


def _flask() -> list[str]:
    script = Path(sys.executable).with_name("flask")
    return [str(script)] if script.exists() else [sys.executable, "-m", "flask"]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_demo_run_serves_the_shop_and_ctrl_c_stops_everything(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    for name in (
        "STRIPE_API_BASE",
        "STRIPE_JS_URL",
        "BASE_URL",
        "SMTP_HOST",
        "SMTP_PORT",
        "HAMAICHI_ENV",
    ):
        env.pop(name, None)
    process = subprocess.Popen(
        [*_flask(), "--app", "wsgi", "demo", "run", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    output: list[str] = []

    def read() -> None:
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 25
        while "Press Ctrl-C" not in "".join(output):
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line is not None, "".join(output)
            output.append(line)
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
            page = response.read().decode()
        assert "浜茹で毛ガニ" in page and "-thumb.webp" in page
        with urllib.request.urlopen(f"{url}catalog?port=sarufutsu", timeout=10) as response:
            assert "活ホタテ" in response.read().decode()
        text = "".join(output)
        assert f"running at {url}" in text
        assert "kumiai@hamaichi.example" in text and PASSWORD in text
        assert (tmp_path / "demo.db").is_file() and any((tmp_path / "media").iterdir())

        children = _descendants(process.pid)
        assert len(children) >= 5, children  # localstripe, mail sink, gunicorn and its 2 workers
        listening = _listeners()
        stripe_port = int(text.split("localstripe listening on http://127.0.0.1:")[1].split()[0])
        smtp_port = int(text.split("mail sink listening on 127.0.0.1:")[1].split()[0])
        for number in (port, stripe_port, smtp_port):  # loopback only, never all interfaces
            assert listening.get(number) == {"0100007F"}, (number, listening.get(number))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
    while (line := lines.get(timeout=10)) is not None:  # EOF: every writer is gone
        output.append(line)
    process.stdout.close()
    assert process.returncode == 0, "".join(output)
    assert "Stopped." in "".join(output)
    assert not [pid for pid in children if _running(pid)]
