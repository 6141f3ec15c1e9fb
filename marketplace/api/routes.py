"""Importing the feature packages' `api` modules registers their endpoints on `bp`."""

from ..accounts import api as _accounts  # noqa: F401
from ..catalog import api as _catalog  # noqa: F401
from ..orders import api as _orders  # noqa: F401
from . import openapi as _openapi  # noqa: F401
