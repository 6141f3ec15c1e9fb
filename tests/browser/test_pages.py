"""Every page at 360 px: no sideways scrolling, no serious axe-core violation, touch targets
at least 44 px tall."""

from __future__ import annotations

import gzip

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
    """One seller with a photo-less and a photo listing, a pending applicant, an admin; and a
    signed-in session for each role (kept as storage state, so each test starts signed in)."""
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
    states = {}
    for role, user in (("seller", seller), ("applicant", applicant), ("admin", admin)):
        ctx = phone_context(browser)
        sign_in(ctx.new_page(), live_server.url, user.email, factories.PASSWORD)
        states[role] = ctx.storage_state()
        ctx.close()
    return {
        "url": live_server.url,
        "ids": {"listing": listing.id, "seller": seller.id},
        "states": states,
    }


def open_page(browser, site, who, path, **context_options):
    """A fresh phone context (Japanese by default, as the village's visitors mostly are)."""
    ctx = phone_context(
        browser, storage_state=site["states"][who] if who else None, **context_options
    )
    page = ctx.new_page()
    response = page.goto(site["url"] + path.format(**site["ids"]))
    assert response.status in (200, 404), response.status
    return ctx, page


@pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=PAGE_IDS)
def test_no_sideways_scrolling_at_360px(browser, site, name, who, path):
    ctx, page = open_page(browser, site, who, path)
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} is {width}px wide"
        # Also with the language menu open (it is absolutely positioned).
        page.locator("details.lang summary").tap()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        ctx.close()


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=PAGE_IDS)
def test_axe_finds_no_serious_violation(browser, site, name, who, path):
    ctx, page = open_page(browser, site, who, path)
    try:
        serious = serious_violations(page)
        assert not serious, f"{name}:\n" + "\n".join(serious)
    finally:
        ctx.close()


@pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=PAGE_IDS)
def test_touch_targets_are_at_least_44px(browser, site, name, who, path):
    ctx, page = open_page(browser, site, who, path)
    try:
        small = page.evaluate(SMALL_TARGETS)
        assert not small, f"{name}:\n" + "\n".join(small)
    finally:
        ctx.close()


@pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=PAGE_IDS)
def test_english_pages_fit_pass_axe_and_have_big_targets(browser, site, name, who, path):
    """English words are longer than Japanese ones: the same three checks, in one page load."""
    ctx, page = open_page(browser, site, who, path, locale="en-US")
    try:
        assert page.locator("html").get_attribute("lang") == "en"
        width = page.evaluate("document.documentElement.scrollWidth")
        problems = [f"{width}px wide"] if width > PHONE["width"] else []
        problems += serious_violations(page) + page.evaluate(SMALL_TARGETS)
        assert not problems, f"{name}:\n" + "\n".join(problems)
    finally:
        ctx.close()


WEIGHT_LIMIT = 60 * 1024  # HTML+CSS+JS of a page, compressed (QUALITY.md)


@pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=PAGE_IDS)
def test_page_is_light_and_loads_without_errors(browser, site, name, who, path):
    """HTML+CSS+JS under 60 KB compressed, no script at all, and nothing the browser complains
    about: no console error (a CSP violation would be one), no failed sub-request."""
    ctx = phone_context(browser, storage_state=site["states"][who] if who else None)
    try:
        page = ctx.new_page()
        responses, errors = [], []
        page.on("response", lambda response: responses.append(response))
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(site["url"] + path.format(**site["ids"]))
        page.wait_for_load_state("load")
        weighed = [
            r for r in responses if r.request.resource_type in ("document", "stylesheet", "script")
        ]
        sizes = {r.url: len(gzip.compress(r.body(), 6)) for r in weighed if r.status != 304}
        assert any(r.request.resource_type == "stylesheet" for r in weighed)
        assert not any(r.request.resource_type == "script" for r in weighed)  # no JS at all, yet
        assert sum(sizes.values()) < WEIGHT_LIMIT, sizes
        failed = [
            f"{r.status} {r.url}"
            for r in responses
            if r.status >= 400 and r.request.resource_type != "document"
        ]
        assert not failed
        if name != "not found":  # the 404 page logs its own status as a console error
            assert not errors, errors
    finally:
        ctx.close()
