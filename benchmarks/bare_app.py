"""The framework's ceiling: a bare Flask app that returns captured page bytes unchanged.

`benchmarks/catalog.py` saves the HTML of each measured page as `<BARE_PAGES>/<name>.html` and
serves this app with the same gunicorn settings as the shop, so "bare /catalog" returns exactly
the bytes the shop's /catalog returned.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response, abort

PAGES = {path.stem: path.read_bytes() for path in Path(os.environ["BARE_PAGES"]).glob("*.html")}

app = Flask(__name__)


@app.route("/<name>")
def page(name: str):
    body = PAGES.get(name)
    if body is None:
        abort(404)
    return Response(body, mimetype="text/html")
