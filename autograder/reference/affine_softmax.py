"""Reference for assignment affine_softmax (to be written)."""
