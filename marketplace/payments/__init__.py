"""Payments. `gateway.py` is the only module that imports `stripe`."""
