"""Hidden checks of computational_graphs (to be written)."""
