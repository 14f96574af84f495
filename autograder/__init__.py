"""The grading side of Backprop from Scratch (ARCHITECTURE.md draws how the modules fit together).

- ``reference``: the answer key (never given to students).
- ``compare``: friendly comparisons (also shipped to students as ``bp_checks.py``).
- ``scenario`` / ``checks``: the kernel side of the hidden tests (seeded inputs and drivers per graded cell).
- ``hidden``: what hidden test cells call; ``records``: the record files they write.
- ``judge`` / ``rules``: compare the records with the reference, in the grader's own process.
- ``intake``, ``notebook``, ``runner``, ``executor``, ``frames``, ``sandbox``, ``pipeline``: grading a class.
"""
