"""Japanese and English everywhere, five catalogues, the visitor's language, and locale formatting.

The catalogue checks extract the source strings afresh (the same extraction as
`flask --app wsgi translations update`), so a string added without a translation fails here,
with the list of what is missing.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

import pytest

from marketplace.accounts.models import User
from marketplace.i18n import catalogues, quantity, yen
from marketplace.timeutil import freeze

LOCALES = ("ja", "en", "zh_Hans", "zh_Hant", "ko")
SIGN_IN = {"ja": "ログイン", "en": "Sign in", "zh_Hans": "登录", "zh_Hant": "登入", "ko": "로그인"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


@pytest.fixture(scope="module")
def source():
    return catalogues.extract()


@pytest.fixture(scope="module")
def po():
    return {locale: catalogues.read(locale) for locale in LOCALES}


def _describe(messages) -> str:
    lines = []
    for message in messages:
        where = ", ".join(sorted({path for path, _line in message.locations})[:2])
        state = "fuzzy" if message.fuzzy else "missing"
        lines.append(f"  [{state}] {message.id!r}  ({where})")
    return "\n".join(lines)


# --- (a) every string has a Japanese and an English translation -------------------------------


def test_extraction_sees_python_templates_macros_and_emails(source):
    paths = {path for message in source for path, _line in message.locations}
    assert any(p.startswith("marketplace/") and p.endswith(".py") for p in paths)
    assert any(p.startswith("templates/_macros/") for p in paths), "Babel skips _folders by default"
    assert any(p.startswith("templates/_partials/") for p in paths)
    assert any(p.startswith("templates/email/") and p.endswith(".txt") for p in paths)
    ids = {message.id for message in source}
    assert "Password" in ids  # lazy_gettext as _l in forms
    assert "Hello %(name)s," in ids  # e-mail body


@pytest.mark.parametrize("locale", catalogues.COMPLETE)
def test_every_string_is_translated(source, po, locale):
    missing = catalogues.untranslated(po[locale], source)
    assert not missing, (
        f"{len(missing)} string(s) lack a {locale} translation in "
        f"{catalogues.po_path(locale).relative_to(catalogues.ROOT)}.\n"
        "Run `flask --app wsgi translations update`, translate them, then "
        "`flask --app wsgi translations compile`:\n" + _describe(missing)
    )


def test_english_translates_each_string_to_itself(po):
    for message in po["en"]:
        if message.id and not isinstance(message.id, (list, tuple)):
            assert message.string == message.id, message.id


def test_buyer_pages_are_translated_in_chinese_and_korean(source, po):
    buyer_templates = (
        "templates/base.html",
        "templates/catalog/",
        "templates/_partials/",
        "templates/_macros/",
        "templates/accounts/",
    )
    wanted = [
        m for m in source if m.id and any(p.startswith(buyer_templates) for p, _line in m.locations)
    ]
    assert len(wanted) > 30
    for locale in ("zh_Hans", "zh_Hant", "ko"):
        missing = catalogues.untranslated(po[locale], wanted)
        assert not missing, f"{locale}:\n" + _describe(missing)


# --- (b) the committed .mo files are the compiled .po files ------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_committed_mo_matches_po(po, locale):
    path = catalogues.mo_path(locale)
    assert path.exists(), f"{path} is missing: run `flask --app wsgi translations compile`"
    compiled = catalogues.translations_of(catalogues.compile_mo(po[locale]))
    committed = catalogues.translations_of(path.read_bytes())
    stale = sorted(
        str(key[0])
        for key in compiled.keys() | committed.keys()
        if compiled.get(key) != committed.get(key)
    )
    assert not stale, (
        f"{path.name} for {locale} is out of date; run `flask --app wsgi translations compile`. "
        f"Differs on: {stale[:10]}"
    )


# --- (c) placeholders survive translation ------------------------------------------------------


def _forms(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [v for v in value if v]
    return [value] if value else []


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_survive_translation(po, locale):
    problems = []
    for message in po[locale]:
        if not message.id or message.fuzzy:
            continue
        ids = _forms(message.id)
        names = {name for text in ids for name in PLACEHOLDER.findall(text)}
        for text in _forms(message.string):
            found = set(PLACEHOLDER.findall(text))
            # Every name must appear (a plural form may leave out the count, as in "one fish").
            lost = names - found - ({"num"} if len(ids) > 1 else set())
            if lost:
                problems.append(f"{message.id!r} -> {text!r} loses {sorted(lost)}")
            if found - names:
                problems.append(f"{message.id!r} -> {text!r} adds {sorted(found - names)}")
            if not any("%" in i for i in ids) and "%" in text:
                problems.append(
                    f"{message.id!r} -> {text!r}: a bare % breaks Jinja's gettext; use ％"
                )
            elif names:
                sample = dict.fromkeys(names, 1)
                try:
                    text % sample
                except (ValueError, TypeError, KeyError) as error:
                    problems.append(f"{message.id!r} -> {text!r}: {error}")
    assert not problems, "\n".join(problems)


# --- (d) which language a visitor gets --------------------------------------------------------


def _lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:200]
    return match.group(1)


def test_default_is_japanese(client):
    response = client.get("/")
    assert response.status_code == 200
    assert _lang(response) == "ja"
    assert SIGN_IN["ja"] in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("ja", "ja"),
        ("en-US,en;q=0.9", "en"),
        ("zh-TW,zh;q=0.8", "zh_Hant"),
        ("zh-HK", "zh_Hant"),
        ("zh-CN,zh;q=0.9", "zh_Hans"),
        ("zh", "zh_Hans"),
        ("ko-KR,ko;q=0.9", "ko"),
        ("fr-FR,en;q=0.5", "en"),
        ("fr-FR,de;q=0.5", "ja"),
    ],
)
def test_accept_language(client, header, locale):
    """Also proves Flask-Babel finds the zh_Hans / zh_Hant catalogue folders."""
    response = client.get("/", headers={"Accept-Language": header})
    assert _lang(response) == locale.replace("_", "-")
    assert SIGN_IN[locale] in response.get_data(as_text=True)


def test_chinese_pages_render_chinese(client, make):
    listing = make.listing(price_jpy=2400)
    page = client.get(f"/listings/{listing.id}?lang=zh-TW").get_data(as_text=True)
    assert "（含稅）" in page and "產地資訊" in page
    page = client.get(f"/listings/{listing.id}?lang=zh-CN").get_data(as_text=True)
    assert "（含税）" in page and "产地信息" in page and "JP¥2,400" in page


def test_query_parameter_beats_the_browser(client):
    response = client.get("/?lang=en", headers={"Accept-Language": "ja"})
    assert _lang(response) == "en"
    response = client.get("/?lang=xx", headers={"Accept-Language": "ko"})
    assert _lang(response) == "ko"


def test_switcher_remembers_the_choice(client):
    page = client.get("/catalog").get_data(as_text=True)
    assert 'href="/lang/en?next=/catalog"' in page
    response = client.get("/lang/en?next=/catalog", headers={"Accept-Language": "ja"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/catalog")
    cookie = response.headers["Set-Cookie"]
    assert "lang=en" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert _lang(client.get("/", headers={"Accept-Language": "ja"})) == "en"
    client.get("/lang/zh_Hant")
    assert _lang(client.get("/", headers={"Accept-Language": "en"})) == "zh-Hant"
    assert _lang(client.get("/?lang=ko")) == "ko"  # the query parameter beats the cookie


def test_switcher_refuses_unknown_languages_and_open_redirects(client):
    assert client.get("/lang/xx").status_code == 404
    response = client.get("/lang/en?next=//evil.example/")
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_signed_in_user_gets_saved_language(app, client, make, signed_in):
    user = make.user(locale="ko")
    signed_in(user)
    assert _lang(client.get("/", headers={"Accept-Language": "en"})) == "ko"


def test_switching_when_signed_in_saves_it_on_the_account(app, db, make, signed_in):
    user = make.user(locale="ja")
    first = signed_in(user)
    first.get("/lang/zh_Hans")
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "zh_Hans"
    other_device = app.test_client()
    other_device.post("/signin", data={"email": user.email, "password": make.PASSWORD})
    assert _lang(other_device.get("/", headers={"Accept-Language": "en"})) == "zh-Hans"


# --- (e) yen, quantities, Tokyo times, numbers per locale -------------------------------------


@pytest.mark.parametrize(
    ("locale", "money"),
    [
        ("ja", "¥1,800"),
        ("en", "¥1,800"),
        ("zh_Hans", "JP¥1,800"),
        ("zh_Hant", "¥1,800"),
        ("ko", "JP¥1,800"),
    ],
)
def test_yen_and_quantities(app, locale, money):
    with app.test_request_context(f"/?lang={locale}"):
        assert yen(1800) == money
        assert yen(1234567).endswith("1,234,567")
        assert yen(None) == ""
        assert quantity(Decimal("12.5"), "kg") == "12.5"
        assert quantity(Decimal("12.50"), "kg") == "12.5"
        assert quantity(Decimal("12"), "kg") == "12"
        assert quantity(Decimal("1234.5"), "kg") == "1,234.5"
        assert quantity(Decimal("3"), "piece") == "3"


@pytest.fixture
def dawn_catch(make):
    """Landed before dawn in Tokyo: 2026-11-24 22:30 UTC is 11/25 07:30 in Asia/Tokyo."""
    freeze(datetime(2026, 11, 24, 23, 0))
    return make.listing(
        price_jpy=1800, quantity="12.5", unit="kg", caught_at="2026-11-24T22:30:00Z"
    )


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("ja", [r"2026/11/25 7:30", r"¥1,800", r"12\.5 kg", r"（税込）"]),
        ("en", [r"11/25/26,\s7:30\sAM", r"¥1,800", r"12\.5 kg", r"\(tax included\)"]),
        ("zh_Hans", [r"2026/11/25 07:30", r"JP¥1,800", r"12\.5 公斤"]),
        ("ko", [r"26\. 11\. 25\. (AM|오전) 7:30", r"JP¥1,800", r"12\.5 kg"]),
    ],
)
def test_listing_page_in_tokyo_time_and_local_formats(client, dawn_catch, locale, expected):
    response = client.get(f"/listings/{dawn_catch.id}?lang={locale}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for pattern in expected:
        assert re.search(pattern, page), (pattern, locale)
    assert "11/24" not in page and "22:30" not in page  # never the UTC day or hour


def test_catalog_card_shows_tokyo_time(client, dawn_catch):
    page = client.get("/catalog?lang=ja").get_data(as_text=True)
    assert "漁獲 2026/11/25 7:30" in page
    assert "残り 12.5 kg" in page


# --- (f) e-mails go out in the recipient's language -------------------------------------------


def _applicant(make, locale):
    seller = make.seller(name=f"Shop {locale}", approved=False)
    seller.locale = locale
    from marketplace import db as tx

    tx.commit()
    return seller


def test_email_in_recipients_saved_language(app, client, make, mailbox, signed_in):
    english = _applicant(make, "en")
    japanese = _applicant(make, "ja")
    taiwanese = _applicant(make, "zh_Hant")
    nobody_said = _applicant(make, None)
    admin = signed_in(make.admin())

    for applicant in (english, japanese, nobody_said):
        response = admin.post(
            f"/admin/applications/{applicant.id}/approve", headers={"Accept-Language": "ja"}
        )
        assert response.status_code == 302
    admin.post(
        f"/admin/applications/{taiwanese.id}/reject",
        data={"reason": "請補上會員編號"},
        headers={"Accept-Language": "ja"},
    )

    (mail,) = mailbox.to(english.email)
    assert mail["Subject"] == "Hamaichi: you can start selling"
    body = mail.get_content()
    assert "Hello Shop en," in body and "The cooperative approved your application" in body

    (mail,) = mailbox.to(japanese.email)
    assert mail["Subject"] == "浜市：販売を開始いただけます"
    assert "Shop ja 様" in mail.get_content()

    (mail,) = mailbox.to(nobody_said.email)  # no saved language: Japanese, the village's own
    assert mail["Subject"] == "浜市：販売を開始いただけます"

    (mail,) = mailbox.to(taiwanese.email)
    assert mail["Subject"] == "浜市：關於您的賣家申請"
    body = mail.get_content()
    assert "Shop zh_Hant，您好：" in body and "請補上會員編號" in body

    # The admin's own page stays in the admin's language after e-mailing in another.
    page = admin.get("/admin/applications", headers={"Accept-Language": "ja"}).get_data(
        as_text=True
    )
    assert _lang_of(page) == "ja"
    assert "Shop jaさんを承認しました" in page


def _lang_of(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("ja", "朝獲れ秋鮭"), ("en", "Morning chum salmon"), ("ko", "Morning chum salmon"),
     ("zh_Hant", "Morning chum salmon"), ("zh_Hans", "早上的秋鲑")],
)
def test_listing_titles_fall_back_to_english_for_readers_of_other_languages(app, locale, expected):
    from flask_babel import force_locale

    from marketplace.i18n import pick

    titles = {"ja": "朝獲れ秋鮭", "en": "Morning chum salmon", "zh_Hans": "早上的秋鲑"}
    with app.test_request_context(f"/?lang={locale}"), force_locale(locale):
        assert pick(titles) == expected
    assert pick({"ja": "するめ"}) == "するめ"
