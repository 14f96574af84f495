"""nbgrader's gradebook, wherever it lives: SQLite in the course folder (the default, for one machine) or a
database server (PostgreSQL) that several graders and TAs share.

Which gradebook (:func:`resolve_db_url`): the ``--db`` URL given to a ``course`` command, else
``c.CourseDirectory.db_url`` in the course folder's ``nbgrader_config.py`` (where the formgrader and plain
``nbgrader`` commands run in that folder read it too), else ``sqlite:///<course folder>/gradebook.db``.
A URL is SQLAlchemy's, as nbgrader takes it: ``postgresql://user@host:5432/dbname`` (SQLAlchemy 2.1 drives
PostgreSQL with psycopg 3: ``pip install 'backprop-from-scratch[postgres]'``).

Writing grades next to people (:func:`record_in_gradebook`): ``course grade`` writes only the *automatic*
part of each grade (``auto_score``, ``needs_manual_grade``, and a written answer's ``auto_comment``) with
UPDATEs that name no other column, so a manual score, extra credit or comment that a TA saves in the
formgrader, before or while ``course grade`` runs, is never overwritten: the formgrader's grade shows the
manual score over the automatic one, as nbgrader intends. Each submission's scores and late penalty are one
transaction. With PostgreSQL that transaction runs at the server's isolation level (READ COMMITTED unless an
administrator changed it): its UPDATEs take row locks, so a formgrader write to the same row waits for the
commit (milliseconds) and then applies its own columns to the new row, and the grader waits in the same way
for a formgrader transaction. No manual column is read and written back, so no write is lost (a written
answer's ``needs_manual_grade`` depends on whether it has a manual score: a TA's score saved at that very
moment can at worst leave it flagged for a look). A lock held longer than ``wait`` seconds ends the write with
:class:`GradebookBusy` (PostgreSQL's ``lock_timeout``; SQLite's busy timeout); a deadlock or a serialization
failure (two ``course grade`` runs on one class, or a stricter isolation level) rolls the submission back and
writes it again.
"""

import warnings
from pathlib import Path

GRADEBOOK_WAIT = 300  # seconds a gradebook write waits for a lock held elsewhere (sqlite's default: 5)
RETRIES = 5  # a submission's transaction is tried this often after a deadlock or serialization failure

DRIVER_HINT = ("pip install 'backprop-from-scratch[postgres]' (in a checkout: pip install -c "
               "requirements/constraints.txt -e '.[postgres]'), which installs psycopg 3 with its prebuilt binary")


class GradebookError(RuntimeError):
    """The gradebook cannot be used as asked; the message says why and what to do."""


class GradebookBusy(GradebookError):
    """The gradebook stayed locked by another program for longer than the grader waits."""


class GradebookIncomplete(GradebookError):
    """Some submissions could not be written to the gradebook (the others were)."""


class GradebookUnavailable(GradebookError):
    """No gradebook at that URL: not a database URL, its driver is not installed, or the server does not answer."""


# --- which gradebook ------------------------------------------------------------------------------------------

def shown(url):
    """``url`` as it may be printed: the password replaced by ``***``."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        return "<not a database URL>"


def is_sqlite(url):
    """Is ``url`` an SQLite gradebook?"""
    return str(url).startswith("sqlite:")


def configured_url(course_dir):
    """``c.CourseDirectory.db_url`` from ``course_dir/nbgrader_config.py`` (as nbgrader reads it), or None."""
    from traitlets.config.loader import PyFileConfigLoader

    path = Path(course_dir) / "nbgrader_config.py"
    if not path.is_file():
        return None
    config = PyFileConfigLoader(path.name, str(path.parent)).load_config()
    url = config.get("CourseDirectory", {}).get("db_url")
    return url if isinstance(url, str) and url else None


def _absolute(url, course_dir):
    """A relative SQLite path is relative to the course folder (where nbgrader commands run), made absolute."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url[len(prefix):] not in ("", ":memory:"):
        path, sep, query = url[len(prefix):].partition("?")
        return prefix + str((Path(course_dir) / path).resolve()) + sep + query
    return url


def resolve_db_url(course_dir, db_url=None):
    """The gradebook URL for ``course_dir``: ``db_url`` (the ``--db`` option), else the course folder's
    ``nbgrader_config.py``, else ``sqlite:///<course_dir>/gradebook.db``. Checks that its driver is installed
    (:class:`GradebookUnavailable` says how to install it); does not connect."""
    course_dir = Path(course_dir)
    url = db_url or configured_url(course_dir) or f"sqlite:///{(course_dir / 'gradebook.db').resolve()}"
    url = _absolute(str(url), course_dir)
    check_driver(url)
    return url


def check_driver(url):
    """Raise :class:`GradebookUnavailable` when ``url`` is not a database URL or its driver is not installed."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = make_url(url)
        dialect = parsed.get_dialect()
    except (ArgumentError, ValueError) as exc:
        raise GradebookUnavailable(f"{url!r} is not a database URL ({exc}); give one as SQLAlchemy writes it, "
                                   "e.g. postgresql://USER@HOST:5432/DBNAME or sqlite:////path/gradebook.db"
                                   ) from None
    except NoSuchModuleError:
        raise GradebookUnavailable(f"no database driver is known for {shown(url)} (SQLAlchemy knows no dialect "
                                   f"{parsed.drivername!r}); use postgresql://... or sqlite:///...") from None
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        hint = (DRIVER_HINT if parsed.get_backend_name() == "postgresql"
                else f"install the Python package for {dialect.driver}")
        raise GradebookUnavailable(
            f"the gradebook {shown(url)} needs the database driver {dialect.driver!r}, which is not installed "
            f"({exc}). Install it: {hint}.") from None


def check_connection(url, timeout=30):
    """Connect once to a database server and raise :class:`GradebookUnavailable` with the reason if that fails
    (a SQLite file needs no server: nothing is checked)."""
    if is_sqlite(url):
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.pool import NullPool

    check_driver(url)
    from sqlalchemy.engine import make_url

    postgres = make_url(url).get_backend_name() == "postgresql"
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": int(timeout)} if postgres else {})
    try:
        with engine.connect() as con:
            con.execute(text("SELECT 1"))
    except DBAPIError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()
        raise GradebookUnavailable(f"cannot reach the gradebook at {shown(url)}: "
                                   f"{reason[0] if reason else type(exc).__name__}") from None
    finally:
        engine.dispose()


def formgrader_note(course_dir, url):
    """A note when the formgrader and plain nbgrader commands, run in ``course_dir``, would read another
    gradebook than ``url`` (given with ``--db``, not in the course folder's ``nbgrader_config.py``); else None."""
    default = f"sqlite:///{(Path(course_dir) / 'gradebook.db').resolve()}"
    try:
        theirs = _absolute(configured_url(course_dir) or default, course_dir)
    except Exception as exc:  # their configuration file does not load: they will see the same error
        return f"{Path(course_dir) / 'nbgrader_config.py'} does not load ({type(exc).__name__}: {exc})."
    if theirs == url:
        return None
    return (f"the formgrader and nbgrader commands run in {course_dir} read the gradebook {shown(theirs)}, not "
            f"{shown(url)}: to give them this one, put  c.CourseDirectory.db_url = \"{shown(url)}\"  into "
            f"{Path(course_dir) / 'nbgrader_config.py'} (keep the password in ~/.pgpass, not in the file).")


# --- writing grades -------------------------------------------------------------------------------------------

def _with_wait(url, wait):
    """``url`` with the lock wait set: SQLite's busy timeout, PostgreSQL's ``lock_timeout`` (via libpq options)."""
    if is_sqlite(url):
        return url if "?" in url else f"{url}?timeout={wait:g}"
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    options = parsed.query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    if "lock_timeout" not in options:
        options = f"{options} -c lock_timeout={max(int(wait * 1000), 1)}".strip()
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


def _sqlstate(exc):
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def _busy(exc):
    """Did a write give up waiting for a lock held by another program?"""
    return _sqlstate(exc) == "55P03" or "database is locked" in str(exc) or "lock timeout" in str(exc)


def _retryable(exc):
    """A deadlock or a serialization failure: the transaction was rolled back and may simply run again."""
    return _sqlstate(exc) in ("40001", "40P01")


def _record(gb, g):
    """Write one notebook's automatic scores and lateness in the session's current transaction (not committed)."""
    from nbgrader.api import Grade, MissingEntry
    from sqlalchemy import update

    from . import lateness

    gb.update_or_create_student(g.student)  # nbgrader commits these two itself
    try:
        gb.find_submission(g.assignment, g.student)
    except MissingEntry:
        gb.add_submission(g.assignment, g.student)
    notebook = Path(g.notebook).stem
    for cell in g.cells:
        row = gb.find_grade(cell.grade_id, notebook, g.assignment, g.student)
        # only the automatic columns: a manual score, extra credit or comment is never written here
        gb.db.execute(update(Grade).where(Grade.id == row.id)
                      .values(auto_score=cell.score, needs_manual_grade=False)
                      .execution_options(synchronize_session=False))
    # cells worth no points (visible checks, graded with 0 points so that Validate runs them) leave nothing to
    # grade by hand: 0, as nbgrader's autograde gives them; else the formgrader flags every submission for review
    scored = {cell.grade_id for cell in g.cells}
    idle = [row.id for row in gb.find_submission_notebook(notebook, g.assignment, g.student).grades
            if row.name not in scored and not row.max_score]
    if idle:
        gb.db.execute(update(Grade).where(Grade.id.in_(idle)).values(auto_score=0.0, needs_manual_grade=False)
                      .execution_options(synchronize_session=False))
    _record_written(gb, g, notebook)
    lateness.record(gb, g)  # submission time and late penalty, where nbgrader keeps them


def _record_written(gb, g, notebook):
    """Written answers (course/written.py), as nbgrader's autograde records them, in the automatic columns only:
    an empty answer gets 0 and the comment "No response."; an answer gets no automatic score and needs a manual
    grade, unless a grader already scored this very text (a changed answer is flagged for a new look). A manual
    score, extra credit or comment is never written here."""
    from nbgrader.api import Comment, Grade
    from sqlalchemy import update

    for w in getattr(g, "written", None) or []:
        row = gb.find_grade(w["grade_id"], notebook, g.assignment, g.student)
        comment = gb.find_comment(w["grade_id"], notebook, g.assignment, g.student)
        if w["answered"]:
            values = {"auto_score": None,
                      "needs_manual_grade": row.manual_score is None or bool(w.get("changed", True))}
        else:
            values = {"auto_score": 0.0, "needs_manual_grade": row.manual_score is not None}
        gb.db.execute(update(Grade).where(Grade.id == row.id).values(**values)
                      .execution_options(synchronize_session=False))
        gb.db.execute(update(Comment).where(Comment.id == comment.id)
                      .values(auto_comment=None if w["answered"] else "No response.")
                      .execution_options(synchronize_session=False))


def record_in_gradebook(api, grades, wait=GRADEBOOK_WAIT):
    """Write every score into nbgrader's gradebook (``api.coursedir.db_url``), one submission per transaction,
    from this one thread.

    Grading workers never touch the gradebook, so grading itself cannot meet a lock. A lock held elsewhere
    (the formgrader saving a manual grade, an ``nbgrader`` command) is waited for up to ``wait`` seconds;
    after that, :class:`GradebookBusy` says what to do (every result is already in ``grades.csv`` and
    ``reports/``, written first). Manual scores and comments are never overwritten (see the module's text)."""
    from nbgrader.api import Gradebook, InvalidEntry
    from sqlalchemy.exc import OperationalError

    url = api.coursedir.db_url
    check_driver(url)
    failed = []
    try:
        with warnings.catch_warnings(), Gradebook(_with_wait(url, wait)) as gb:
            # nbgrader's add_submission trips SQLAlchemy autoflush warnings; they are harmless
            warnings.simplefilter("ignore")
            for g in grades:
                for attempt in range(RETRIES):
                    try:
                        _record(gb, g)
                        gb.db.commit()
                        break
                    except OperationalError as exc:
                        gb.db.rollback()
                        if _retryable(exc) and attempt + 1 < RETRIES:
                            continue
                        raise
                    except InvalidEntry as exc:  # nbgrader's name for an IntegrityError: a concurrent insert
                        gb.db.rollback()
                        if attempt + 1 < RETRIES:
                            continue
                        failed.append(f"{g.student}/{g.assignment} ({type(exc).__name__}: {str(exc)[:200]})")
                    except Exception as exc:  # one submission the gradebook refuses never keeps out the others
                        gb.db.rollback()
                        failed.append(f"{g.student}/{g.assignment} ({type(exc).__name__}: {str(exc)[:200]})")
                        break
    except OperationalError as exc:
        if not _busy(exc):
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()
            raise GradebookUnavailable(
                f"writing the gradebook {shown(url)} failed ({reason[0] if reason else type(exc).__name__}). "
                "Nothing is lost: grades.csv, reports/grades.json and the feedback pages hold every result; run "
                "the same `course grade` command again when the gradebook answers.") from None
        raise GradebookBusy(
            f"the gradebook ({shown(url).split('?')[0]}) stayed locked by another program for {wait:g} s, so the "
            "scores are not in it yet. Nothing is lost: grades.csv, reports/grades.json and the feedback "
            "pages hold every result. Close the formgrader (or other nbgrader commands) and run the same "
            "`course grade` command again.") from None
    if failed:
        raise GradebookIncomplete(
            f"the gradebook refused {len(failed)} submission(s): {'; '.join(failed)}. Every other score is in it, "
            "and grades.csv, reports/ and the feedback pages hold every result, these included.")
