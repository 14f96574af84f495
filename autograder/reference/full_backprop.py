"""Reference for assignment full_backprop (to be written)."""
