"""Rendered public catalog pages, shared between anonymous visitors.

The catalog is read far more often than it changes, so a page rendered for an anonymous
visitor is kept and served again while nothing it shows can have changed. Its key is
  - the shared catalog version (a row in the database that every listing change bumps, so all
    workers stop serving a stale page at the same moment without talking to each other),
  - the page: URL root, path and raw query string (the page links back to itself with them),
  - the locale,
  - the current minute (listings also leave the catalog by time, which bumps nothing).
Each worker keeps its pages in a bounded in-memory LRU; since the key holds the shared version,
no worker can serve a page another worker knows to be stale, and nothing in it is needed by
another worker.

Personal pages never enter the cache: signed-in visitors, visitors with a flashed message
waiting, and any render that touched the session or made a CSRF token are rendered afresh and
marked private. Shared pages carry an ETag (a hash of the body) for 304s on repeat visits.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import Response, current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user

from ..timeutil import now
from . import services

DEFAULT_SIZE = 200  # pages per worker; a catalog page is ~20-40 KB of HTML
SHARED = "no-cache"  # anyone may keep it, but must revalidate (ETag) before reuse
PERSONAL = "private, no-cache"


@dataclass(frozen=True)
class Page:
    body: bytes
    etag: str
    mimetype: str


class PageStore:
    """A bounded LRU of rendered pages (per worker process; thread-safe)."""

    def __init__(self, size: int):
        self.size = size
        self._pages: OrderedDict[tuple, Page] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: Page) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)


def page_store() -> PageStore | None:
    """This app's store, or None when `CATALOG_PAGE_CACHE_SIZE` is 0 (cache off)."""
    size = current_app.config.get("CATALOG_PAGE_CACHE_SIZE", DEFAULT_SIZE)
    if not size:
        return None
    store = current_app.extensions.get("hamaichi_page_store")
    if store is None or store.size != size:
        store = current_app.extensions["hamaichi_page_store"] = PageStore(size)
    return store


def _shareable_request() -> bool:
    if request.method not in ("GET", "HEAD") or current_user.is_authenticated:
        return False
    return "_flashes" not in session


def _rendered_personally() -> bool:
    """The render made a CSRF token or changed the session: it belongs to this visitor."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return session.modified or field in g


def _key() -> tuple:
    minute = now().replace(second=0, microsecond=0)
    return (
        services.catalog_version(),
        minute,
        str(get_locale()),
        request.url_root,
        request.path,
        request.query_string,
    )


def _etag(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=12).hexdigest()


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
    """Serve a public page from the shared-version cache to anonymous visitors."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        store = page_store()
        if store is None or not _shareable_request():
            return _personal(make_response(view(*args, **kwargs)))
        key = _key()
        page = store.get(key)
        if page is None:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or response.direct_passthrough or _rendered_personally():
                return _personal(response)
            body = response.get_data()
            page = Page(body=body, etag=_etag(body), mimetype=response.mimetype)
            store.put(key, page)
        return _shared_response(page)

    return wrapper
