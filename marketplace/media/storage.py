"""Where photos live. `LocalStorage` keeps files under instance/media; another backend (object
storage) only has to offer the same three methods."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Protocol

from flask import current_app

KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}\.(webp|jpg)$")


class Storage(Protocol):
    def put(self, name: str, data: bytes) -> None: ...

    def get(self, name: str) -> bytes | None: ...

    def path(self, name: str) -> Path | None: ...


class LocalStorage:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def put(self, name: str, data: bytes) -> None:
        if not KEY.match(name):
            raise ValueError("bad media name")
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / (name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, self.root / name)

    def get(self, name: str) -> bytes | None:
        path = self.path(name)
        return path.read_bytes() if path else None

    def path(self, name: str) -> Path | None:
        if not KEY.match(name):
            return None
        path = self.root / name
        return path if path.is_file() else None


def storage() -> Storage:
    return LocalStorage(current_app.config["MEDIA_ROOT"])
