"""Hidden checks of full_backprop (to be written)."""
