"""Grade submissions: rebuild each notebook, execute it in a separate (sandboxed) process, judge.

One submission's failure never stops the others: every way a submission can break becomes a
grade of 0 with a reason. Workers run in parallel; everything that touches shared state (the
gradebook, the report) happens afterwards, in one thread. The steps live in their own modules:
``submissions`` (what was handed in), ``notebook`` (the rebuild), ``runtime``, ``runner`` and the sandbox
(the run), ``records`` and ``judge`` (the verdict), ``feedback_notebook`` (what the student sees).
"""

import base64
import compileall
import hashlib
import json
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from . import intake
from . import notebook as nbtools
from .course_files import CourseFiles, course_files  # noqa: F401  (moved; importable from here as before)
from .feedback_notebook import feedback_notebook
from .frames import MAX_RESULT_BYTES, RECORD_NAME
from .hidden import RECORD_ENV
from .i18n import N_, check_language, gettext, language, speaking, translate
from .judge import CellResult, judge_cell, reference_namespace
from .records import load_records
from .runner import SINGLE_THREAD_ENV, RunResult, _Collector, build_font_cache, run_notebook
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
    digest: str = ""  # sha256 of the submission as graded (Prepared.digest); "" when the grader failed
    lang: str = field(default_factory=language)  # the language of its messages (autograder.i18n), as graded

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
    reason = gettext(N_("internal grader error ({error}); this is not the student's fault: tell the course staff, "
                        "who must grade this submission again.")).format(
        error=f"{type(exc).__name__}: {intake.printable(str(exc))[:300]}")
    return _zero(files, student, reason, status="grader error")



@dataclass
class Prepared:
    """One submission taken in and rebuilt, ready to run: plain data, so that it may travel to another machine.

    Made by :func:`prepare_notebook` where the grading is coordinated (no student code runs there); run by
    :func:`run_prepared`, here or on a worker (``autograder.distributed``); judged by :func:`judge_run`, back here."""

    student: str
    assignment: str
    digest: str  # sha256 of the submission as intake took it in (what course/resume.py compares)
    notes: list  # from intake and the rebuild
    merged: object = None  # the rebuilt notebook (the only notebook that runs); None: nothing to run
    merged_json: str = ""  # the same, as nbformat writes it: what travels
    notebook: str = ""  # the student's notebook, relative to the snapshot (left out of the extra files)
    snapshot: list = field(default_factory=list)  # [(relative path, bytes)]: the submission as intake took it in
    grade: object = None  # the grade already known without a run (no notebook, not JSON)

    def payload(self, helpers, limits, sandboxed, version=""):
        """What :func:`run_prepared` needs, as plain data (strings, bytes, numbers, lists, dicts)."""
        return {"label": f"{self.student}/{self.assignment}", "merged": self.merged_json, "notebook": self.notebook,
                "snapshot": [(str(rel), data) for rel, data in self.snapshot], "helpers": helpers,
                "limits": asdict(limits), "sandboxed": bool(sandboxed), "version": version}


def submission_digest(taken, notes):
    """The sha256 of a submission as :func:`autograder.intake.read_tree` took it in: its notes, and each file's
    relative path and bytes."""
    digest = hashlib.sha256(json.dumps(notes, ensure_ascii=True).encode() + b"\0")
    for rel, data in taken:
        name = str(rel).encode("utf-8", "surrogateescape")
        digest.update(f"{len(name)}:{len(data)}:".encode() + name + data)
    return digest.hexdigest()


def _write_files(folder, entries):
    """Write ``[(relative path, bytes)]`` (or ``(relative path, None)``: an empty folder) under ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for rel, data in entries:
        target = folder / rel
        if data is None:
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def helper_files(files):
    """The released helpers every notebook of ``files`` runs beside, as ``[(relative path, bytes or None)]``
    (None: a folder): everything in the release folder but the notebook and names starting with a dot."""
    release = Path(files.release_dir)
    found = []
    for item in sorted(release.iterdir()):
        if item.name == files.notebook or item.name.startswith("."):
            continue
        if item.is_dir():
            found.append((item.name, None))
            for path in sorted(item.rglob("*")):
                rel = str(path.relative_to(release))
                found.append((rel, None) if path.is_dir() else (rel, path.read_bytes()))
        else:
            found.append((item.name, item.read_bytes()))
    return found


def prepare_notebook(files, student, submitted_dir, workdir):
    """Take one student's submission of one assignment in through :mod:`autograder.intake` (regular files only,
    bounded; nothing else ever reads the student's folder) and rebuild its notebook. Runs no student code.

    Returns a :class:`Prepared`; its ``grade`` is set when there is nothing to run (no notebook, not JSON)."""
    workdir = Path(workdir).resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    taken, intake_notes = intake.read_tree(submitted_dir)
    prepared = Prepared(student, files.name, submission_digest(taken, intake_notes), list(intake_notes),
                        snapshot=taken)
    snapshot = workdir / "submission"
    _write_files(snapshot, taken)
    path, notes = find_notebook(snapshot, files.notebook)
    notes = intake_notes + notes
    prepared.notes = notes
    if path is None:
        prepared.grade = _zero(files, student, notes[-1], notes[:-1])
        return prepared
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        too_big = gettext(N_("{name} is larger than {size} MB, so it was not read."))
        prepared.grade = _zero(files, student, too_big.format(name=intake.printable(path.name),
                                                              size=MAX_NOTEBOOK_BYTES // 2**20), notes)
        return prepared
    try:
        student_nb = nbtools.read(path)
    except nbtools.BrokenNotebook as exc:
        prepared.grade = _zero(files, student, str(exc), notes)
        return prepared
    merged, merge_notes = nbtools.merge(files.template, student_nb)
    notes += merge_notes
    answered = [n for n in merge_notes if "missing from the submission" in n]
    if answered and len(answered) == sum(nbtools.is_solution(c) for c in files.template.cells):
        notes.append(gettext(N_("this does not look like a notebook of this assignment (no answer cell matched).")))
    prepared.merged, prepared.merged_json = merged, nbformat.writes(merged)
    prepared.notebook = str(path.relative_to(snapshot))
    return prepared


def run_prepared(payload, workdir, runtime, limits, sandbox=None, where="here"):
    """Run one prepared notebook (``Prepared.payload``) in ``workdir``, in the sandbox: the part of grading that
    runs student code, here or on a worker. Returns bytes for :func:`judge_run`: one JSON object per line, the
    cells that ran and the record files as the runner took them back (``autograder.frames``), then how the run
    ended with the notes on the submission's extra files (and ``where`` it ran, for the grading log)."""
    workdir = Path(workdir).resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    snapshot = workdir / "submission"
    _write_files(snapshot, payload["snapshot"])
    run_dir, record_dir = workdir / "run", workdir / "records"
    for d in (run_dir, record_dir):
        d.mkdir(parents=True)
    _write_files(run_dir, payload["helpers"])  # helpers from the release, never the student's copies
    notes = copy_extra_files(snapshot, snapshot / payload["notebook"], run_dir)
    nb_in, nb_out = workdir / "grading.ipynb", workdir / "executed.ipynb"
    text = payload["merged"]
    nb_in.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("BFS_", "JPY_", "JUPYTER_"))}
    env.update(SINGLE_THREAD_ENV)
    env.update({RECORD_ENV: str(record_dir), "PYTHONPATH": str(runtime), "HOME": str(run_dir)})
    env["BACKPROP_LANG"] = check_language(payload.get("lang"))  # what the visible checks speak (autograder.compare)
    wrap = sandbox.wrapper(run_dir=run_dir, record_dir=record_dir, workdir=workdir, runtime=runtime,
                           limits=limits) if sandbox else None
    run = run_notebook(nb_in, nb_out, cwd=run_dir, env=env, cell_timeout=limits.cell_timeout,
                       total_timeout=limits.notebook_timeout, wrap=wrap, record_dir=record_dir)
    frames = []
    try:
        executed = nbformat.read(nb_out, as_version=4)
    except Exception:
        executed = None
    for index, cell in enumerate(executed.cells if executed else []):
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
            frames.append({"type": "cell", "index": index, "outputs": cell.get("outputs", []),
                           "execution_count": cell.get("execution_count")})
    for path in sorted(record_dir.iterdir()):
        if RECORD_NAME.match(path.name) and path.is_file() and not path.is_symlink():
            frames.append({"type": "record", "name": path.name,
                           "data": base64.b64encode(path.read_bytes()).decode()})
    frames.append({"type": "run", "ok": run.ok, "reason": run.reason, "notes": list(run.notes),
                   "timing_dependent": run.timing_dependent, "grader_fault": run.grader_fault, "extra_notes": notes,
                   "where": str(where)[:200]})
    return b"\n".join(json.dumps(f, separators=(",", ":"), ensure_ascii=True).encode() for f in frames) + b"\n"


class BadRun(ValueError):
    """What came back from a run (a worker's answer) does not follow the format."""


MAX_TEXT = 20_000  # one reason or note coming back from a run (a real one is far shorter)
MAX_NOTES = 200


def _texts(value, what):
    if type(value) is not list or len(value) > MAX_NOTES or any(type(v) is not str or len(v) > MAX_TEXT
                                                               for v in value):
        raise BadRun(f"bad {what}")
    return list(value)


def read_run(data, merged_json, record_dir):
    """Check what :func:`run_prepared` sent back, as the runner checks what the sandbox sends: each cell's
    outputs rebuilt from checked parts (``autograder.runner.clean_output``) onto our own rebuilt notebook,
    record files by name and size (the judge reads them strictly, ``autograder.records``). Returns
    ``(executed notebook, RunResult, notes on extra files, where it ran)``; raises :class:`BadRun` for anything
    malformed."""
    if type(data) is not bytes or len(data) > MAX_RESULT_BYTES * 2:
        raise BadRun("not a run's result")
    lines = data.split(b"\n")
    try:
        end = json.loads(lines[-2]) if len(lines) >= 2 and lines[-1] == b"" else None
    except ValueError:
        end = None
    if type(end) is not dict or end.get("type") != "run":
        raise BadRun("the run's result has no end")
    if not all(type(end.get(k)) is bool for k in ("ok", "timing_dependent", "grader_fault")) or \
            type(end.get("reason")) is not str or len(end["reason"]) > MAX_TEXT:
        raise BadRun("bad end of run")
    run = RunResult(end["ok"], end["reason"], _texts(end.get("notes"), "notes"), end["timing_dependent"],
                    end["grader_fault"])
    extra_notes = _texts(end.get("extra_notes"), "notes")
    record_dir = Path(record_dir)
    record_dir.mkdir(parents=True, exist_ok=True)
    collector = _Collector(nbformat.reads(merged_json, as_version=4), record_dir)
    for line in lines[:-2]:
        collector._frame(line)  # the runner's own check of a frame (cells and records); a damaged one is dropped
    collector.write_records()
    executed = nbformat.reads(nbformat.writes(collector.notebook()), as_version=4)
    return executed, run, extra_notes, str(end.get("where", ""))[:200]


def judge_run(files, prepared, data, workdir):
    """Judge one run in this process, which never ran student code: ``data`` is what :func:`run_prepared` returned
    (here or on a worker), checked by :func:`read_run`. Returns the :class:`NotebookGrade`, its messages in the
    language of the current ``autograder.i18n.speaking`` block."""
    student = prepared.student
    executed, run, extra_notes, where = read_run(data, prepared.merged_json, Path(workdir) / "records")
    notes = list(prepared.notes) + extra_notes
    notes += [n for n in run.notes if n not in run.reason]  # cells interrupted, limits reached
    if not run.ok:
        notes.append(run.reason)
    if run.timing_dependent:
        # what reached us before a crash or a limit depends on timing: show the notebook without outputs, so
        # that grading twice gives the same feedback (the reason heads the page)
        executed = prepared.merged
    if run.grader_fault:
        grade = _zero(files, student, gettext(N_("internal grader error: {reason} This is not the student's fault: "
                                                 "tell the course staff, who must grade this submission again.")
                                              ).format(reason=run.reason), notes, status="grader error")
        grade.where = where
        return grade
    # notes and reasons made in English where the language was not known (intake, rebuild, runner), translated
    notes = [translate(n) for n in notes]
    grade = NotebookGrade(student, files.name, files.notebook, files.max_score, notes=notes)
    if not run.ok:
        grade.reason = translate(run.reason)
        grade.status = "error"
    ref_ns = reference_namespace()
    record_dir = Path(workdir) / "records"
    for gid, points in files.graded:
        grade.cells.append(judge_cell(gid, points, load_records(record_dir, gid), ref_ns))
    grade.feedback = feedback_notebook(executed, grade)
    grade.digest, grade.where = prepared.digest, where
    return grade


def grade_notebook(files, student, submitted_dir, workdir, runtime, *, limits=None, sandbox=None, run=None,
                   helpers=None, lang=None):
    """Grade one student's submission of one assignment. Never raises for a bad submission.

    The submission folder is first taken in through :mod:`autograder.intake` (regular files only, bounded);
    nothing else ever reads the student's folder. ``run(payload) -> bytes`` runs the notebook elsewhere (a Dask
    worker, ``autograder.distributed``); by default it runs here, with :func:`run_prepared`. ``lang``: the
    language of what the student reads (``None``: the current ``autograder.i18n.speaking`` block's, else English);
    the notebook's kernel gets it as ``BACKPROP_LANG``."""
    lang = check_language(lang or language())
    with speaking(lang):
        return _grade_notebook(files, student, submitted_dir, workdir, runtime, limits, sandbox, run, helpers, lang)


def _grade_notebook(files, student, submitted_dir, workdir, runtime, limits, sandbox, run, helpers, lang):
    limits = limits or Limits()
    workdir = Path(workdir).resolve()
    prepared = prepare_notebook(files, student, submitted_dir, workdir / "host")
    if prepared.grade is not None:
        prepared.grade.digest = prepared.digest
        return prepared.grade
    payload = prepared.payload(helper_files(files) if helpers is None else helpers, limits, sandbox is not None)
    payload["lang"] = lang
    if run is None:
        data = run_prepared(payload, workdir / "run", runtime, limits, sandbox)
    else:
        data = run(payload)
    del payload
    return judge_run(files, prepared, data, workdir / "host")


def prepare_runtime(directory, sandbox=None, limits=None):
    """The kernel-side runtime (:func:`autograder.runtime.make_runtime`) in ``directory``, plus what would otherwise
    be redone in every notebook, because each one starts from a read-only runtime and an empty home: the runtime's
    compiled bytecode (the kernel and the executor would compile it again each time), and matplotlib's font list
    (:func:`autograder.runner.build_font_cache`). Returns the folder, as ``make_runtime`` does."""
    runtime = make_runtime(directory)
    compileall.compile_dir(str(runtime), quiet=2)
    build_font_cache(runtime, Path(directory).parent / (Path(directory).name + "-font-cache"), sandbox=sandbox,
                     limits=limits or Limits())
    return runtime


def grade_jobs(jobs, files_by_name, workroot, *, workers=None, limits=None, sandbox=None, progress=True,
               on_result=None, cluster=None, lang=None):
    """Grade every job in parallel; returns grades in the order of ``jobs``.

    ``on_result(grade)`` is called (in this thread) as each notebook finishes, so that results can be
    written as they come: a crash later loses nothing already graded. A failure of the grader on one
    job gives that job the status "grader error"; the others go on. ``cluster``: run the notebooks on a
    Dask cluster (``autograder.distributed.Cluster``) instead of here; its ``ClusterLost`` stops everything.
    ``lang``: the language of what students read (``autograder.i18n``; ``None``: English)."""
    lang = check_language(lang)
    workroot = Path(workroot).resolve()
    runtime = prepare_runtime(workroot / "runtime", sandbox, limits or Limits()) if cluster is None else None
    workers = (cluster.in_flight() if cluster is not None else None) or workers or os.cpu_count() or 1
    results = [None] * len(jobs)
    helpers = {name: helper_files(files) for name, files in files_by_name.items()}
    run = None
    if cluster is not None:
        run = cluster.run

    def one(i):
        job = jobs[i]
        files = files_by_name[job.assignment]
        try:
            return grade_notebook(files, job.student, job.folder, workroot / "jobs" / f"{i:05d}", runtime,
                                  limits=limits, sandbox=sandbox, run=run, helpers=helpers[job.assignment],
                                  lang=lang)
        except Exception as exc:  # a grader bug must not lose the rest of the class
            if cluster is not None and cluster.lost(exc):
                raise
            with speaking(lang):
                return grader_error(files, job.student, exc)
        finally:
            shutil.rmtree(workroot / "jobs" / f"{i:05d}", ignore_errors=True)

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(jobs), desc="grading", unit="notebook")
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = {pool.submit(one, i): i for i in range(len(jobs))}
        for fut in as_completed(futures):
            i = futures[fut]
            results[i] = fut.result()
            if on_result:
                try:
                    on_result(results[i])
                except Exception as exc:
                    job = jobs[i]
                    with speaking(lang):
                        results[i] = grader_error(files_by_name[job.assignment], job.student, exc)
            if bar:
                bar.update()
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if bar:
            bar.close()
    return results


def scratch_dir(prefix="bfs-grade-"):
    """A new empty temporary folder (``Path``); the caller removes it."""
    return Path(tempfile.mkdtemp(prefix=prefix))
