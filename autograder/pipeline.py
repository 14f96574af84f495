"""Grade submissions: rebuild each notebook, execute it in a separate (sandboxed) process, judge.

One submission's failure never stops the others: every way a submission can break becomes a
grade of 0 with a reason. Workers run in parallel; everything that touches shared state (the
gradebook, the report) happens afterwards, in one thread. The steps live in their own modules:
``submissions`` (what was handed in), ``notebook`` (the rebuild), ``runtime``, ``runner`` and the sandbox
(the run), ``records`` and ``judge`` (the verdict), ``feedback_notebook`` (what the student sees).
"""

import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import intake
from . import notebook as nbtools
from .course_files import CourseFiles, course_files  # noqa: F401  (moved; importable from here as before)
from .feedback_notebook import feedback_notebook
from .hidden import RECORD_ENV
from .judge import CellResult, judge_cell, reference_namespace
from .records import load_records
from .runner import SINGLE_THREAD_ENV, run_notebook
from .runtime import RUNTIME_FILES, make_runtime  # noqa: F401
from .submissions import (  # noqa: F401  (Job, find_jobs, unpack_submissions: moved; importable from here as before)
    MAX_NOTEBOOK_BYTES,
    Job,
    copy_extra_files,
    find_jobs,
    find_notebook,
    unpack_submissions,
)


@dataclass
class Limits:
    """The limits of one notebook's run: seconds per cell and per notebook, memory (MB), processes and threads.

    These defaults are the only ones in the code; ``course grade`` reads the course's values from
    ``nbgrader_config.py`` (``course.settings.GradingSettings``) and its flags."""

    cell_timeout: float = 60
    notebook_timeout: float = 300
    memory_mb: int = 2048
    processes: int = 64


@dataclass
class NotebookGrade:
    """One student's graded notebook of one assignment: a :class:`autograder.judge.CellResult` per graded cell,
    notes, status and reason, and the notebook the student may see (``feedback``)."""

    student: str
    assignment: str
    notebook: str
    max_score: float
    cells: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    # "graded"; "error": the run failed (time-out, crash: the student's code); "broken": the submission
    # cannot be graded (no notebook, not JSON); "grader error": the grader failed, not the student
    status: str = "graded"
    reason: str = ""
    feedback: object = None  # the judged notebook (hidden tests removed), for feedback
    # course.lateness.Lateness (submission time, due date, late penalty), set by `course grade`; None: no time
    late: object = None

    @property
    def score(self):
        """The points earned, before any late penalty (rounded to 2 decimals)."""
        return round(sum(c.score for c in self.cells), 2)

    @property
    def final_score(self):
        """The score after the late penalty (nbgrader's score minus late_submission_penalty)."""
        return round(max(0.0, self.score - (self.late.penalty if self.late else 0.0)), 2)



def _zero(files, student, reason, notes=(), status="broken"):
    grade = NotebookGrade(student, files.name, files.notebook, files.max_score, notes=list(notes),
                          status=status, reason=reason)
    grade.cells = [CellResult(gid, pts, problem=reason) for gid, pts in files.graded]
    return grade


def grader_error(files, student, exc):
    """The grade of a submission the grader failed on: 0 points, status "grader error", and why."""
    reason = (f"internal grader error ({type(exc).__name__}: {intake.printable(str(exc))[:300]}); this is not "
              "the student's fault: tell the course staff, who must grade this submission again.")
    return _zero(files, student, reason, status="grader error")



def grade_notebook(files, student, submitted_dir, workdir, runtime, *, limits=None, sandbox=None):
    """Grade one student's submission of one assignment. Never raises for a bad submission.

    The submission folder is first copied into ``workdir`` through :mod:`autograder.intake` (regular files
    only, bounded); nothing else ever reads the student's folder."""
    limits = limits or Limits()
    workdir = Path(workdir).resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    snapshot = workdir / "submission"
    intake_notes = intake.copy_tree(submitted_dir, snapshot)
    path, notes = find_notebook(snapshot, files.notebook)
    notes = intake_notes + notes
    if path is None:
        return _zero(files, student, notes[-1], notes[:-1])
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        return _zero(files, student, f"{intake.printable(path.name)} is larger than "
                                     f"{MAX_NOTEBOOK_BYTES // 2**20} MB, so it was not read.", notes)
    try:
        student_nb = nbtools.read(path)
    except nbtools.BrokenNotebook as exc:
        return _zero(files, student, str(exc), notes)
    merged, merge_notes = nbtools.merge(files.template, student_nb)
    notes += merge_notes
    answered = [n for n in merge_notes if "missing from the submission" in n]
    if answered and len(answered) == sum(nbtools.is_solution(c) for c in files.template.cells):
        notes.append("this does not look like a notebook of this assignment (no answer cell matched).")

    run_dir, record_dir = workdir / "run", workdir / "records"
    for d in (run_dir, record_dir):
        d.mkdir(parents=True)
    for item in files.release_dir.iterdir():  # helpers from the release, never the student's copies
        if item.name != files.notebook and not item.name.startswith("."):
            (shutil.copytree if item.is_dir() else shutil.copy2)(item, run_dir / item.name)
    notes += copy_extra_files(snapshot, path, run_dir)
    nb_in, nb_out = workdir / "grading.ipynb", workdir / "executed.ipynb"
    nbformat.write(merged, nb_in)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("BFS_", "JPY_", "JUPYTER_"))}
    env.update(SINGLE_THREAD_ENV)
    env.update({RECORD_ENV: str(record_dir), "PYTHONPATH": str(runtime), "HOME": str(run_dir)})
    wrap = sandbox.wrapper(run_dir=run_dir, record_dir=record_dir, workdir=workdir, runtime=runtime,
                           limits=limits) if sandbox else None
    run = run_notebook(nb_in, nb_out, cwd=run_dir, env=env, cell_timeout=limits.cell_timeout,
                       total_timeout=limits.notebook_timeout, wrap=wrap, record_dir=record_dir)
    notes += [n for n in run.notes if n not in run.reason]  # cells interrupted, limits reached
    if not run.ok:
        notes.append(run.reason)
    try:
        executed = nbformat.read(nb_out, as_version=4)
    except Exception:
        executed = merged
    if run.timing_dependent:
        # what reached us before a crash or a limit depends on timing: show the notebook without outputs, so
        # that grading twice gives the same feedback (the reason heads the page)
        executed = merged

    if run.grader_fault:
        return _zero(files, student, f"internal grader error: {run.reason} This is not the student's fault: "
                                     "tell the course staff, who must grade this submission again.", notes,
                     status="grader error")
    grade = NotebookGrade(student, files.name, files.notebook, files.max_score, notes=notes)
    if not run.ok:
        grade.reason = run.reason
        grade.status = "error"
    ref_ns = reference_namespace()
    for gid, points in files.graded:
        grade.cells.append(judge_cell(gid, points, load_records(record_dir, gid), ref_ns))
    grade.feedback = feedback_notebook(executed, grade)
    return grade



def grade_jobs(jobs, files_by_name, workroot, *, workers=None, limits=None, sandbox=None, progress=True,
               on_result=None):
    """Grade every job in parallel; returns grades in the order of ``jobs``.

    ``on_result(grade)`` is called (in this thread) as each notebook finishes, so that results can be
    written as they come: a crash later loses nothing already graded. A failure of the grader on one
    job gives that job the status "grader error"; the others go on."""
    workroot = Path(workroot).resolve()
    runtime = make_runtime(workroot / "runtime")
    workers = workers or os.cpu_count() or 1
    results = [None] * len(jobs)

    def one(i):
        job = jobs[i]
        files = files_by_name[job.assignment]
        try:
            return grade_notebook(files, job.student, job.folder, workroot / "jobs" / f"{i:05d}", runtime,
                                  limits=limits, sandbox=sandbox)
        except Exception as exc:  # a grader bug must not lose the rest of the class
            return grader_error(files, job.student, exc)
        finally:
            shutil.rmtree(workroot / "jobs" / f"{i:05d}", ignore_errors=True)

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(jobs), desc="grading", unit="notebook")
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(one, i): i for i in range(len(jobs))}
        for fut in as_completed(futures):
            i = futures[fut]
            results[i] = fut.result()
            if on_result:
                try:
                    on_result(results[i])
                except Exception as exc:
                    job = jobs[i]
                    results[i] = grader_error(files_by_name[job.assignment], job.student, exc)
            if bar:
                bar.update()
    if bar:
        bar.close()
    return results


def scratch_dir(prefix="bfs-grade-"):
    """A new empty temporary folder (``Path``); the caller removes it."""
    return Path(tempfile.mkdtemp(prefix=prefix))
