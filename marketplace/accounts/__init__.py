"""Users, sign-in, seller applications and API tokens."""
