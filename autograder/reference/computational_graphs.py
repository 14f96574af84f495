"""Reference for assignment computational_graphs (to be written)."""
