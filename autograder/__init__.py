"""The grading side of Backprop from Scratch.

- ``reference``: the answer key (never given to students).
- ``compare``: friendly comparisons (also shipped to students as ``bp_checks.py``).
- ``scenario`` / ``checks``: the hidden tests, as seeded scenarios per graded cell.
- ``hidden``: what hidden test cells call; ``judge``: compares records with the reference.
- ``notebook``, ``execute``, ``pipeline``, ``feedback``: grading a class of submissions.
"""
