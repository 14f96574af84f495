"""Grade submissions: rebuild each notebook, execute it in a separate (sandboxed) process, judge.

One submission's failure never stops the others: every way a submission can break becomes a
grade of 0 with a reason. Workers run in parallel; everything that touches shared state (the
gradebook, the report) happens afterwards, in one thread.
"""

import filecmp
import os
import shutil
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import intake
from . import notebook as nbtools
from .hidden import RECORD_ENV
from .judge import CellResult, judge_cell, reference_namespace
from .records import load_records
from .runner import SINGLE_THREAD_ENV, run_notebook

# what the kernel may import from the grader (autograder/scenario.py says why it gives nothing away): never the
# judge or its rules (autograder/rules), never the reference, never the pipeline
RUNTIME_FILES = ["__init__.py", "compare.py", "scenario.py", "hidden.py", "records.py", "executor.py", "frames.py",
                 "checks"]


@dataclass
class Limits:
    cell_timeout: float = 60
    notebook_timeout: float = 300
    memory_mb: int = 2048
    processes: int = 64


@dataclass
class NotebookGrade:
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
        return round(sum(c.score for c in self.cells), 2)

    @property
    def final_score(self):
        """The score after the late penalty (nbgrader's score minus late_submission_penalty)."""
        return round(max(0.0, self.score - (self.late.penalty if self.late else 0.0)), 2)


@dataclass
class CourseFiles:
    """What the grader needs of one assignment: its name, notebook name, template and release folder."""

    name: str
    notebook: str
    template: object
    release_dir: Path

    @property
    def graded(self):
        return nbtools.graded_cells(self.template)

    @property
    def max_score(self):
        return sum(p for _, p in self.graded)


def course_files(assignment, source_root, release_root):
    source_nb = nbformat.read(Path(source_root) / assignment.name / assignment.notebook, as_version=4)
    release_dir = Path(release_root) / assignment.name
    release_nb = nbformat.read(release_dir / assignment.notebook, as_version=4)
    return CourseFiles(assignment.name, assignment.notebook, nbtools.grading_template(source_nb, release_nb),
                       release_dir)


def make_runtime(directory):
    """Copy the kernel-side part of the grader (no reference, no pipeline) to ``directory``."""
    package = Path(__file__).resolve().parent
    target = Path(directory) / "autograder"
    target.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_FILES:
        src = package / name
        if src.is_dir():
            shutil.copytree(src, target / name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, target / name)
    return Path(directory)


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


MAX_NOTEBOOK_BYTES = 20 * 2**20


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


MAX_EXTRA_BYTES = 20 * 1024 * 1024
# names the grader's own code uses inside the sandbox: a student's file of that name is never put beside it
RESERVED_NAMES = {"autograder", "autograder.py", "bp_checks.py", "sitecustomize.py", "usercustomize.py"}


def _files_under(item):
    """The files under ``item`` of a snapshot (which holds only regular files and folders)."""
    return [item] if item.is_file() else sorted(p for p in item.rglob("*") if p.is_file())


def _same_files(found, item, released):
    theirs = {p.relative_to(item) for p in found} if item.is_dir() else {Path()}
    ours = {p.relative_to(released) for p in _files_under(released)} if released.is_dir() else {Path()}
    ours = {p for p in ours if "__pycache__" not in p.parts}
    theirs = {p for p in theirs if "__pycache__" not in p.parts}
    return theirs == ours and all(filecmp.cmp(item / p, released / p, shallow=False) for p in theirs)


NBGRADER_STAMPS = ("timestamp.txt", "submission_secret.txt")


def copy_extra_files(snapshot, notebook_path, run_dir):
    """Give the notebook the other files the student handed in (their own data or modules), never in
    place of a released helper or under a name the grader uses, at most 20 MB. ``snapshot`` is the
    submission as :func:`autograder.intake.copy_tree` took it in. Returns notes."""
    used, skipped, budget = [], [], MAX_EXTRA_BYTES
    for item in sorted(Path(snapshot).iterdir()):
        if item == notebook_path or item.name.startswith(".") or item.name == "__pycache__":
            continue
        if item.name in NBGRADER_STAMPS:  # what `nbgrader submit` adds beside the notebook: not the student's work
            continue
        found = _files_under(item)
        if (run_dir / item.name).exists():  # a released helper: their copy is ignored; say so if it differs
            if not _same_files(found, item, run_dir / item.name):
                skipped.append(f"{item.name} (changed from the released version, which was used instead)")
            continue
        if item.name in RESERVED_NAMES or item.name.split(".")[0] in RESERVED_NAMES:
            skipped.append(f"{item.name} (this name is reserved for the grader)")
            continue
        if not found:
            continue
        size = sum(p.stat().st_size for p in found)
        if size > budget:
            skipped.append(f"{item.name} (too large: extra files may take {MAX_EXTRA_BYTES // 2**20} MB in all)")
            continue
        budget -= size
        for src in found:
            dest = run_dir / src.relative_to(snapshot)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
        used.append(item.name)
    notes = []
    if used:
        notes.append(f"other files in the submission were available to the notebook: {', '.join(used)}.")
    if skipped:
        notes.append(f"files in the submission that were not used: {'; '.join(skipped)}.")
    return notes


def find_notebook(folder, expected):
    """The submitted notebook in ``folder`` (a snapshot): by its expected name, else the only notebook there."""
    if not folder.is_dir():
        return None, [f"no submission folder {folder.name}"]
    path = folder / expected
    if path.is_file():
        return path, []
    found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith(".") and p.is_file())
    if len(found) == 1:
        return found[0], [f"the notebook was renamed to {found[0].name} (expected {expected}); it was graded."]
    if not found:
        return None, [f"no notebook in the submission (expected {expected})."]
    return None, [f"several notebooks and none named {expected}: {', '.join(p.name for p in found)}."]


def feedback_notebook(executed, grade):
    """The executed notebook as the student may see it: hidden tests replaced by their results."""
    nb = nbformat.from_dict(dict(executed))
    results = {c.grade_id: c for c in grade.cells}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        gid = nbtools.grade_id(cell)
        if nbtools.is_graded(cell) and gid in results:
            cell.source = nbtools.strip_region(cell.source, nbtools.BEGIN_HIDDEN, nbtools.END_HIDDEN).rstrip()
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=results[gid].report() + "\n")]
        elif nbtools.BEGIN_HIDDEN in cell.source:  # never show hidden tests, wherever they are
            cell.source = nbtools.strip_region(cell.source, nbtools.BEGIN_HIDDEN, nbtools.END_HIDDEN)
            cell.outputs = []
        for out in cell.outputs:
            if out.get("output_type") == "error":
                # keep the message; drop frames that could point into grader code
                out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
    return nb


@dataclass
class Job:
    student: str
    assignment: str
    folder: Path


def find_jobs(submitted_root, known, also_known=()):
    """Every ``<student>/<assignment>/`` folder under ``submitted_root``; anything else is reported.

    Only real folders count: a student or assignment "folder" that is a link is refused, never followed."""
    jobs, skipped = [], []
    students, notes = intake.subfolders(submitted_root)
    skipped += notes
    for student, student_dir in students:
        adirs, notes = intake.subfolders(student_dir)
        skipped += [f"{student}/{n}" for n in notes]
        for name, adir in adirs:
            if name in known:
                jobs.append(Job(student, name, adir))
            elif name in also_known:
                skipped.append(f"{student}/{name}: not selected for this run")
            else:
                skipped.append(f"{student}/{name}: not an assignment of this course")
    return jobs, skipped


def unpack_submissions(path, target):
    """Return a folder laid out as ``<student>/<assignment>/``: ``path`` itself, its ``submitted/``, or a zip
    (unpacked safely into ``target``; :class:`autograder.intake.Refused` for a dangerous archive)."""
    path = Path(path).resolve()
    if path.is_file() and zipfile.is_zipfile(path):
        path = intake.unpack_zip(path, target)
        inner = [p for p in path.iterdir() if p.is_dir() and not p.name.startswith("__MACOSX")]
        if len(inner) == 1 and not (path / "submitted").is_dir() and (inner[0] / "submitted").is_dir():
            path = inner[0]
    if not path.is_dir():
        raise FileNotFoundError(f"{path} is neither a folder nor a zip file of submissions.")
    sub = path / "submitted"
    return sub if sub.is_dir() and not sub.is_symlink() else path


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
    return Path(tempfile.mkdtemp(prefix=prefix))
