"""Hidden checks of training (to be written)."""
