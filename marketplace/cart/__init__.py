"""The cart: one across many sellers, for guests (by a token in the session) and accounts."""
