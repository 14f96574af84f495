"""``course grade``: grade a class into an nbgrader course folder.

The course folder gets nbgrader's usual layout, so the formgrader and plain nbgrader commands see
the results: ``submitted/`` (a copy of what was handed in; never deleted, earlier versions archived),
``autograded/``, ``feedback/<student>/<assignment>/*.html``, ``gradebook.db``, plus ``grades.csv``
and ``reports/`` (a JSON report with every reason, and a plot of the grade distribution).

This module is the orchestration (:func:`grade_class`); the steps live in ``course.coursedir`` (the course
folder and its submissions), ``autograder.pipeline`` (grading), ``course.outputs`` (files written),
``course.gradebook`` (nbgrader's database). Their public names are importable from here as before.
"""

import shutil
from pathlib import Path

from autograder import intake
from autograder.course_files import course_files
from autograder.distributed import Cluster, ClusterLost
from autograder.i18n import check_language
from autograder.pipeline import Limits, grade_jobs  # noqa: F401  (Limits: importable from here as before)
from autograder.submissions import Job, find_jobs, unpack_submissions

from . import lateness, written
from .coursedir import prepare_course_dir, store_submissions
from .exchange import Bookkeeping, grading_workdir, settle, snapshot
from .feedback import write_feedback_html, write_feedback_pages  # noqa: F401  (write_feedback_html: the API)
from .gradebook import GRADEBOOK_WAIT, GradebookBusy, GradebookIncomplete, record_in_gradebook  # noqa: F401 (moved)
from .outputs import grade_record, plot_distribution, table, write_outputs, write_result  # noqa: F401 (moved)
from .resume import Resume
from .sequence import SEQUENCE
from .settings import load as load_settings
from .spreadsheet import csv_cell  # noqa: F401 (moved)


class GradingInputError(Exception):
    """The class as a whole cannot be taken in (not a folder or zip, a dangerous zip); says what to do."""


def grade_class(submissions, course_dir, *, names=None, workers=None, limits=None, sandbox=None,
                progress=True, log=print, db_url=None, scheduler=None, regrade=False, students=None, lang=None):
    """Grade every submission under ``submissions`` (a folder or a zip) into ``course_dir``.

    Paths may be relative (to the current folder); they are resolved once, here. ``db_url``: the gradebook
    (see :func:`prepare_course_dir`). ``limits`` and ``workers``: ``None`` takes them from the course's
    settings (``course/nbgrader_config.py`` and ``course_dir/nbgrader_config.py``, see course/settings.py);
    ``sandbox``: an ``autograder.sandbox`` object, or ``None`` to grade without one. ``scheduler``: run the
    notebooks on this Dask scheduler's workers (``autograder.distributed``). A stored result whose submission and
    grader version are unchanged is reused unless ``regrade`` (``course.resume``); ``students``: only these
    students' notebooks. ``lang``: the edition and the language of what students read (``None``: the course
    folder's setting, ``GradingSettings.language``). Returns the grades."""
    course_dir = Path(course_dir).resolve()
    submissions = Path(submissions).resolve()
    course_dir.mkdir(parents=True, exist_ok=True)
    settings = load_settings(course_dir)
    limits, workers = limits or settings.limits(), workers or settings.workers or None
    lang = check_language(lang or settings.language)
    api, selected = prepare_course_dir(course_dir, names, log=log, db_url=db_url, lang=lang)
    known = {a.name: a for a in selected}
    unpacked = course_dir / ".unpacked"
    shutil.rmtree(unpacked, ignore_errors=True)
    try:
        root = unpack_submissions(submissions, unpacked)
        submitted, intake_notes, problems = store_submissions(root, course_dir, known)
    except (intake.Refused, FileNotFoundError) as exc:
        raise GradingInputError(str(exc)) from None
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)
    jobs, skipped = find_jobs(submitted, known, also_known={a.name for a in SEQUENCE})
    skipped = problems + skipped
    jobs = [Job(j.student, j.assignment, j.folder) for j in jobs]
    if students:  # --student: only their notebooks
        skipped += [f"{s}: no submission of the selected assignments" for s in sorted(set(students))
                    if s not in {j.student for j in jobs}]
        jobs = [j for j in jobs if j.student in set(students)]
    files = {a.name: course_files(a, course_dir / "source", course_dir / "release") for a in selected}
    work = grading_workdir(course_dir)  # outside an instructor's closed course folder: the sandbox must reach it
    shutil.rmtree(work, ignore_errors=True)
    # due dates, late policy, roster, exchange (course/exchange.py); what each submission was before grading
    books = Bookkeeping(course_dir, lateness.load_course_config(course_dir, api.config), api.coursedir.db_url)
    seen = snapshot(jobs)
    resume = Resume(course_dir, files, limits, sandbox is not None, regrade=regrade, lang=lang)

    def finished(grade):
        grade.lang = lang  # the page's language (a reused result keeps the messages it was judged with)
        resume.judged(grade)  # the judge's notes, before the bookkeeping below adds its own
        grade.notes[:0] = intake_notes.get((grade.student, grade.assignment), [])
        books.annotate(grade)
        # written answers: kept for the formgrader; compared with the last grading's before it is replaced
        grade.written = written.mark_changes(written.describe(grade.feedback, files[grade.assignment].template),
                                             written.previous_record(course_dir, grade.student, grade.assignment))
        write_result(course_dir, grade)
        resume.written(grade)  # its key (course/resume.py), a line in the grading log; its notebook now on disk

    cluster = Cluster(scheduler, sandboxed=sandbox is not None) if scheduler else None

    def grade(some, bar):  # unchanged stored results are reused; the rest graded here or on the cluster
        return resume.grade(some, lambda todo: grade_jobs(todo, files, work, workers=workers, limits=limits,
                                                          sandbox=sandbox, progress=bar, on_result=finished,
                                                          cluster=cluster, lang=lang), finished)

    try:
        grades = grade(jobs, progress)
        grades, changed = settle(seen, jobs, grades, lambda again: grade(again, False),
                                 log=lambda *a: None)  # a collect replaced a submission meanwhile: grade it again
    except ClusterLost as exc:
        raise ClusterLost(f"{exc}. The {resume.graded + resume.reused} notebook(s) judged before that are kept in "
                          f"{course_dir / 'reports' / 'results'}; run the same command again to grade the rest "
                          "(they are reused).") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if cluster is not None:
            cluster.close()
    log(resume.summary())
    notices = changed + books.lines()
    written.read_manual(api.coursedir.db_url, grades)  # scores and comments graders gave: shown on the pages
    notices = write_outputs(course_dir, grades, skipped, workers=workers, notices=notices)  # first: no lock wait
    record_in_gradebook(api, grades)
    for s in skipped:
        log(f"skipped {s}")
    for line in notices:
        log(f"note: {line}")
    return grades
