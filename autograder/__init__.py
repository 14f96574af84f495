"""The grading side of Backprop from Scratch; ARCHITECTURE.md draws how its modules fit together.

- ``reference``: the answer key (never given to students, never in the sandbox).
- ``compare``: friendly comparisons (also shipped to students as ``bp_checks.py``).
- ``scenario`` / ``checks``: the kernel side of the hidden tests (seeded inputs and drivers per graded cell).
- ``hidden``: what hidden test cells call; ``records``: the record files they write.
- ``judge`` / ``rules``: compare the records with the reference, in the grader's own process.
- ``submissions``, ``intake``: what was handed in, read safely; ``course_files``, ``notebook``: the rebuild.
- ``runtime``, ``runner``, ``executor``, ``frames``: running a notebook; ``sandbox``, ``bubblewrap``, ``cgroups``,
  ``seccomp``: where it runs; ``pipeline``: a class, in parallel; ``feedback_notebook``: what the student sees.
"""
