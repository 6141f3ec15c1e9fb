"""The demo village: data for an empty database, and the one-command local setup."""
