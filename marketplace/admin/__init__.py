"""The cooperative's pages."""
