"""Shipping fees. For now a simple fee per seller order by temperature class; the shipping
issue replaces it with real rates by box size and region."""
