"""Reference for assignment training (to be written)."""
