"""Backprop from Scratch, as an instructor runs it: release, grade, feedback, export, demo."""
