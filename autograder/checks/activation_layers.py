"""Hidden checks of activation_layers (to be written)."""
