"""Rendered public catalog pages, shared between anonymous visitors.

The catalog is read far more often than it changes, so a page rendered for an anonymous
visitor is kept and served again while nothing it shows can have changed. Its key is
  - the shared catalog version (a row in the database that every listing change bumps, so all
    workers stop serving a stale page at the same moment without talking to each other),
  - the current minute (listings also leave the catalog by time, which bumps nothing),
  - the locale, and the request's scheme, host, path and raw query string.
Each worker keeps its pages in a bounded in-memory LRU; since the key holds the shared version,
no worker can serve a page another worker knows to be stale, and no worker needs another's.

Two halves share the store:
  - `shared_page`, a view decorator, decides what may be shared. Signed-in visitors, visitors
    with a flashed message waiting, and renders that touched the session or made a CSRF token
    are personal: rendered afresh and marked private. A shareable page is served from the
    store or rendered, with an ETag (a hash of the body) for 304s on repeat visits.
  - `SharedPageLayer`, a WSGI layer in front of Flask, keeps the finished response (with every
    header the app added) of a page the decorator marked as shared, and serves it again to
    requests that are anonymous on their face: GET/HEAD without a session, remember-me or
    Authorization, whose locale it has already seen resolved. That costs one indexed read of
    the version instead of a pass through every extension, which is what lets a catalog page
    keep up with a bare Flask endpoint (benchmarks/README.md). Everything else goes to Flask.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import NamedTuple

from flask import Flask, Response, current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from werkzeug.http import parse_cookie, parse_etags

from ..i18n import COOKIE as LANG_COOKIE
from ..timeutil import now
from .models import CatalogState

DEFAULT_SIZE = 200  # pages per worker; a catalog page is ~20-30 KB of HTML
SHARED = "no-cache"  # anyone may keep it, but must revalidate (ETag) before reuse
PERSONAL = "private, no-cache"
MARK = "hamaichi.shared_page_key"  # environ entry: the decorator's key for the WSGI layer
LOCALE_MEMO_SIZE = 512
_VERSION = select(CatalogState.version).where(CatalogState.id == 1)
_NOT_STORED = {"date", "set-cookie", "content-length"}


@dataclass(frozen=True)
class Page:
    body: bytes
    etag: str
    mimetype: str
    headers: tuple[tuple[str, str], ...] = ()  # the finished response's, once the layer has it


class PageKey(NamedTuple):
    version: int
    minute: datetime
    locale: str
    scheme: str | None
    forwarded_proto: str | None
    host: str | None
    script_name: str | None
    path: str | None
    query: str | None


class PageStore:
    """A bounded LRU of rendered pages (per worker process; thread-safe). It also knows which
    paths it holds pages for, so other requests (static files, forms) skip the version read."""

    def __init__(self, size: int):
        self.size = size
        self._pages: OrderedDict[PageKey, Page] = OrderedDict()
        self._paths: Counter[str | None] = Counter()
        self._lock = threading.Lock()

    def get(self, key: PageKey) -> Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: PageKey, page: Page) -> None:
        with self._lock:
            if key not in self._pages:
                self._paths[key.path] += 1
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                old, _ = self._pages.popitem(last=False)
                self._paths[old.path] -= 1
                if not self._paths[old.path]:
                    del self._paths[old.path]

    def holds_path(self, path: str | None) -> bool:
        return path in self._paths

    def __len__(self) -> int:
        return len(self._pages)


# --- the key -------------------------------------------------------------------------------


class VersionReader:
    """Reads the shared catalog version (`services.catalog_version`) on one connection that the
    worker process keeps open in autocommit: every read sees the latest commit, no transaction
    stays open, and a read is one round trip, not a pool checkout, a ping and a rollback
    (on PostgreSQL that is the difference between keeping up with a bare endpoint or not)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._lock = threading.Lock()
        self._conn: Connection | None = None
        self._pid = 0
        self._inherited: list[Connection] = []  # a parent's, after a fork: never touched
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def read(self) -> int:
        with self._lock:
            for attempt in (1, 2):
                try:
                    return self._connection().execute(_VERSION).scalar() or 0
                except DBAPIError:
                    self._drop()  # the server went away: reconnect once, then give up
                    if attempt == 2:
                        raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _connection(self) -> Connection:
        if self._conn is not None and self._pid != os.getpid():
            self._inherited.append(self._conn)
            self._conn = None
        if self._conn is None:
            self._conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._pid = os.getpid()
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.invalidate()  # closes the DBAPI connection now, even after a dispose
            self._conn.close()
            self._conn = None


def page_key(environ: dict, locale: str, version: int) -> PageKey:
    return PageKey(
        version,
        now().replace(second=0, microsecond=0),
        locale,
        environ.get("wsgi.url_scheme"),
        environ.get("HTTP_X_FORWARDED_PROTO"),
        environ.get("HTTP_HOST"),
        environ.get("SCRIPT_NAME"),
        environ.get("PATH_INFO"),
        environ.get("QUERY_STRING"),
    )


def _locale_inputs(environ: dict, cookies) -> tuple[str | None, str | None]:
    """What an anonymous visitor's locale depends on besides ?lang (see i18n.select_locale)."""
    return cookies.get(LANG_COOKIE), environ.get("HTTP_ACCEPT_LANGUAGE")


def _etag(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=12).hexdigest()


# --- the store for one app -------------------------------------------------------------------


class SharedPages:
    def __init__(self, app: Flask, size: int):
        self.app = app
        self.store = PageStore(size)
        self.locales: dict[tuple, str] = {}
        self._reader: VersionReader | None = None

    def version(self) -> int:
        if self._reader is None:
            from ..extensions import db

            with self.app.app_context():
                self._reader = VersionReader(db.engine)
        return self._reader.read()

    def remember_locale(self, inputs: tuple, locale: str) -> None:
        if len(self.locales) >= LOCALE_MEMO_SIZE:
            self.locales.clear()
        self.locales[inputs] = locale


def shared_pages(app: Flask) -> SharedPages | None:
    """The app's store, or None when `CATALOG_PAGE_CACHE_SIZE` is 0 (cache off)."""
    size = app.config.get("CATALOG_PAGE_CACHE_SIZE", DEFAULT_SIZE)
    if not size:
        return None
    pages = app.extensions.get("hamaichi_shared_pages")
    if pages is None or pages.store.size != size:
        pages = app.extensions["hamaichi_shared_pages"] = SharedPages(app, size)
    return pages


# --- the decorator (inside Flask) ----------------------------------------------------------


def _shareable_request() -> bool:
    if request.method not in ("GET", "HEAD") or current_user.is_authenticated:
        return False
    return "_flashes" not in session


def _rendered_personally() -> bool:
    """The render made a CSRF token or changed the session: it belongs to this visitor."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return session.modified or field in g


def _shared_response(page: Page) -> Response:
    response = Response(page.body, mimetype=page.mimetype)
    response.set_etag(page.etag)
    response.headers["Cache-Control"] = SHARED
    response.vary.update(("Cookie", "Accept-Language"))
    return response.make_conditional(request)


def _personal(response: Response) -> Response:
    response.headers["Cache-Control"] = PERSONAL
    return response


def shared_page(view: Callable) -> Callable:
    """Share this public page between anonymous visitors (see the module's docstring)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        pages = shared_pages(current_app)
        if pages is None or not _shareable_request():
            return _personal(make_response(view(*args, **kwargs)))
        locale = str(get_locale())
        if "lang" not in request.args:
            pages.remember_locale(_locale_inputs(request.environ, request.cookies), locale)
        key = page_key(request.environ, locale, pages.version())
        page = pages.store.get(key)
        if page is None:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or response.direct_passthrough or _rendered_personally():
                return _personal(response)
            body = response.get_data()
            page = Page(body=body, etag=_etag(body), mimetype=response.mimetype)
            pages.store.put(key, page)
        if request.method == "GET" and not page.headers:
            request.environ[MARK] = key  # the WSGI layer keeps the finished response
        return _shared_response(page)

    return wrapper


# --- the WSGI layer (in front of Flask) ----------------------------------------------------


class SharedPageLayer:
    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app
        self.private_cookies = {
            app.config.get("SESSION_COOKIE_NAME", "session"),
            app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
        }

    def __call__(self, environ: dict, start_response):
        pages = shared_pages(self.app)
        if pages is None:
            return self.wsgi_app(environ, start_response)
        page = self._stored(pages, environ)
        if page is not None:
            return self._serve(page, environ, start_response)
        return self._through_flask(pages, environ, start_response)

    def _stored(self, pages: SharedPages, environ: dict) -> Page | None:
        """The finished page for an anonymous-on-its-face request, if the store has it."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in environ:
            return None
        if "lang=" in environ.get("QUERY_STRING", ""):
            return None
        cookies = parse_cookie(environ)
        if any(name in cookies for name in self.private_cookies):
            return None
        locale = pages.locales.get(_locale_inputs(environ, cookies))
        if locale is None or not pages.store.holds_path(environ.get("PATH_INFO")):
            return None
        try:
            version = pages.version()
        except SQLAlchemyError:
            return None  # let Flask handle (and report) a database that is down
        page = pages.store.get(page_key(environ, locale, version))
        return page if page is not None and page.headers else None

    @staticmethod
    def _serve(page: Page, environ: dict, start_response) -> Iterable[bytes]:
        if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains_weak(page.etag):
            headers = [(k, v) for k, v in page.headers if k.lower() != "content-type"]
            start_response("304 NOT MODIFIED", headers)
            return []
        start_response("200 OK", [*page.headers, ("Content-Length", str(len(page.body)))])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]

    def _through_flask(self, pages: SharedPages, environ: dict, start_response) -> Iterable[bytes]:
        finished: dict = {}

        def keep(status, headers, exc_info=None):
            finished["status"], finished["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, keep)
        key = environ.get(MARK)
        headers = finished.get("headers", [])
        if key is None or not finished.get("status", "").startswith("200"):
            return body
        if any(name.lower() == "set-cookie" for name, _ in headers):
            return body  # something made this response personal after the view ran
        chunks = list(body)
        if hasattr(body, "close"):
            body.close()
        page = pages.store.get(key)
        if page is not None and b"".join(chunks) == page.body:
            kept = tuple((k, v) for k, v in headers if k.lower() not in _NOT_STORED)
            pages.store.put(key, Page(page.body, page.etag, page.mimetype, kept))
        return chunks


def init_app(app: Flask) -> None:
    app.wsgi_app = SharedPageLayer(app.wsgi_app, app)
