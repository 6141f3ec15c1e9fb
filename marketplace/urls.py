"""Absolute URLs from BASE_URL, usable in requests, e-mails built later and CLI commands."""

from __future__ import annotations

from flask import current_app, url_for


def absolute_url(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"] + path_for(endpoint, **values)


def path_for(endpoint: str, **values) -> str:
    from flask import has_request_context

    if has_request_context():
        return url_for(endpoint, **values)
    adapter = current_app.url_map.bind("localhost")
    return adapter.build(endpoint, values)
