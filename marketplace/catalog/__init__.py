"""Listings (today's catch and processed goods), the public catalog and reference data."""
