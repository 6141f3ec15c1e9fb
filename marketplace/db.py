"""The transaction boundary: commit or roll back, then run the after-commit actions.

Services never commit. A view (or CLI command) calls `commit()` once, at the end of its unit
of work. Side effects that must only happen once the data is safe (sending e-mail, ...) are
registered with `after_commit(fn)` and run after a successful commit; a rollback drops them.
"""

from __future__ import annotations

from collections.abc import Callable

from .extensions import db

_KEY = "hamaichi_after_commit"


def after_commit(action: Callable[[], None]) -> None:
    """Run `action` once the current transaction has committed."""
    db.session.info.setdefault(_KEY, []).append(action)


def commit() -> None:
    try:
        db.session.commit()
    except Exception:
        rollback()
        raise
    actions = db.session.info.pop(_KEY, [])
    for action in actions:
        action()


def rollback() -> None:
    db.session.rollback()
    db.session.info.pop(_KEY, None)
