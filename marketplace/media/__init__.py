"""Photos: checked and re-encoded with Pillow, kept behind a storage interface."""
