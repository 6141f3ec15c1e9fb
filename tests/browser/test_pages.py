"""Every page at 360 px: no sideways scrolling, no serious axe-core violation, touch targets
at least 44 px tall, light and error-free loading.

Each page is loaded once per language and measured (`Measurements`); the tests below then
assert one property each on those measurements, so a failure names what is wrong where."""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field

import pytest
from axe_playwright_python.sync_playwright import Axe

from .. import factories
from .conftest import PHONE, phone_context, sign_in

# (name, who is signed in, path template)
PAGES = [
    ("home", None, "/"),
    ("catalog", None, "/catalog?kind=catch"),
    ("listing", None, "/listings/{listing}"),
    ("seller page", None, "/sellers/{seller}"),
    ("sign in", None, "/signin"),
    ("sign up", None, "/signup"),
    ("not found", None, "/listings/999999"),
    ("seller dashboard", "seller", "/sell"),
    ("new listing form", "seller", "/sell/listings/new"),
    ("edit listing form", "seller", "/sell/listings/{listing}/edit"),
    ("application form", "applicant", "/sell/apply"),
    ("admin applications", "admin", "/admin/applications"),
    ("add to cart", None, "/cart/add?listing_id={listing}&quantity=1"),
    ("cart", "buyer", "/cart"),
    ("checkout details", "buyer", "/checkout"),
    ("buyer's orders", "buyer", "/orders"),
    ("seller's orders", "seller", "/sell/orders"),
    ("admin orders", "admin", "/admin/orders"),
]
PAGE_IDS = [name for name, _, _ in PAGES]

# Run in the page: every rendered interactive element shorter than 44 px. Links inside running
# text are exempt (WCAG 2.5.8 "inline"), and so is a radio or checkbox inside a big enough label.
SMALL_TARGETS = """() => {
  const small = [];
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, label.choice';
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden') continue;
    const label = el.closest('label');
    if (el.matches('[type=radio], [type=checkbox]') && label && label.getBoundingClientRect().height >= 44) continue;
    if (el.tagName === 'A' && style.display === 'inline' && el.parentElement
        && el.parentElement.textContent.trim() !== el.textContent.trim()) continue;
    if (box.height < 44) small.push(`${el.outerHTML.slice(0, 90)} is ${box.height.toFixed(1)}px tall`);
  }
  return small;
}"""


@pytest.fixture(scope="module")
def site(live_server, browser):
    """A seller with a listing (with a photo), a pending applicant, an admin; and a signed-in
    session for each role, kept as storage state so a new context starts signed in."""
    seller = live_server.seller(name="第三 北星丸", boat_name="北星丸")
    listing = live_server.listing(
        seller,
        photo=True,
        species="毛ガニ",
        quantity="8",
        price_jpy=4800,
        description={"ja": "今朝の水揚げです。"},
    )
    applicant = live_server.seller(name="宗谷の干物屋", approved=False, kind="processor")
    admin = live_server.admin()
    buyer = live_server.build(factories.user, "restaurant")
    states = {}
    for role, user in (("seller", seller), ("applicant", applicant), ("admin", admin), ("buyer", buyer)):
        ctx = phone_context(browser)
        page = ctx.new_page()
        sign_in(page, live_server.url, user.email, factories.PASSWORD)
        if role == "buyer":  # a restaurant with a crab in its cart
            page.goto(f"{live_server.url}/listings/{listing.id}")
            page.locator("main form button[type=submit]").first.tap()
            page.wait_for_url("**/cart")
        states[role] = ctx.storage_state()
        ctx.close()
    return {
        "url": live_server.url,
        "ids": {"listing": listing.id, "seller": seller.id},
        "states": states,
    }


@dataclass
class Measurements:
    lang: str = ""
    status: int = 0
    width: int = 0
    width_with_menu_open: int = 0
    serious: list = field(default_factory=list)  # axe-core serious/critical violations
    small_targets: list = field(default_factory=list)
    compressed: dict = field(default_factory=dict)  # url -> gzip size of HTML/CSS/JS
    scripts: list = field(default_factory=list)
    failed_requests: list = field(default_factory=list)
    console_errors: list = field(default_factory=list)


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture(scope="module")
def measure(browser, site):
    """measure(who, path, locale) -> Measurements, loading each page once per module."""
    cache: dict = {}

    def _measure(who, path, locale="ja-JP") -> Measurements:
        key = (who, path, locale)
        if key in cache:
            return cache[key]
        state = site["states"][who] if who else None
        ctx = phone_context(browser, locale=locale, storage_state=state)
        m = Measurements()
        responses = []
        try:
            page = ctx.new_page()
            page.on("response", lambda response: responses.append(response))
            page.on(
                "console", lambda msg: msg.type == "error" and m.console_errors.append(msg.text)
            )
            page.on("pageerror", lambda error: m.console_errors.append(str(error)))
            m.status = page.goto(site["url"] + path.format(**site["ids"])).status
            page.wait_for_load_state("load")
            m.lang = page.locator("html").get_attribute("lang")
            m.width = page.evaluate("document.documentElement.scrollWidth")
            m.small_targets = page.evaluate(SMALL_TARGETS)
            m.serious = serious_violations(page)
            for r in responses:
                kind = r.request.resource_type
                if kind in ("document", "stylesheet", "script") and r.status != 304:
                    m.compressed[r.url] = len(gzip.compress(r.body(), 6))
                if kind == "script":
                    m.scripts.append(r.url)
                if r.status >= 400 and kind != "document":
                    m.failed_requests.append(f"{r.status} {r.url}")
            # Last, with the language menu open (it is absolutely positioned).
            page.locator("details.lang summary").tap()
            m.width_with_menu_open = page.evaluate("document.documentElement.scrollWidth")
        finally:
            ctx.close()
        cache[key] = m
        return m

    return _measure


pages = pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=PAGE_IDS)
WEIGHT_LIMIT = 60 * 1024  # HTML+CSS+JS of a page, compressed (QUALITY.md)


@pages
def test_no_sideways_scrolling_at_360px(measure, name, who, path):
    m = measure(who, path)
    assert m.status == (404 if name == "not found" else 200)
    assert m.width <= PHONE["width"], f"{name} is {m.width}px wide"
    assert m.width_with_menu_open <= PHONE["width"], f"{name} with the language menu open"


@pages
def test_axe_finds_no_serious_violation(measure, name, who, path):
    m = measure(who, path)
    assert not m.serious, f"{name}:\n" + "\n".join(m.serious)


@pages
def test_touch_targets_are_at_least_44px(measure, name, who, path):
    m = measure(who, path)
    assert not m.small_targets, f"{name}:\n" + "\n".join(m.small_targets)


@pages
def test_page_is_light_and_loads_without_errors(measure, name, who, path):
    """HTML+CSS+JS under 60 KB compressed, no script but our own small ones, and nothing the browser
    complains about: no console error (a CSP violation would be one), no failed sub-request."""
    m = measure(who, path)
    assert len(m.compressed) >= 2, m.compressed  # the page and its stylesheet
    assert sum(m.compressed.values()) < WEIGHT_LIMIT, m.compressed
    assert all("/static/js/" in url for url in m.scripts), m.scripts  # our own, no framework
    assert not m.failed_requests
    if name != "not found":  # Chromium logs a 404 document as a console error
        assert not m.console_errors


@pages
def test_english_pages_fit_pass_axe_and_have_big_targets(measure, name, who, path):
    """English words are longer than Japanese ones: the same checks in English."""
    m = measure(who, path, locale="en-US")
    assert m.lang == "en"
    problems = [f"{m.width}px wide"] if m.width > PHONE["width"] else []
    problems += m.serious + m.small_targets
    assert not problems, f"{name}:\n" + "\n".join(problems)
