"""Hidden checks of affine_softmax (to be written)."""
