"""E-mail through an outbox: rows written with their cause, sent after commit, retried."""
