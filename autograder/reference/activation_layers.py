"""Reference for assignment activation_layers (to be written)."""
