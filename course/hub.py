"""``course hub``: a class on one machine — JupyterHub, the machine's own accounts, nbgrader's folder exchange.

``setup`` (as root, idempotent) makes everything under one hub folder (default ``/srv/backprop-hub``), for a class
of one edition (``lang``: ``en``, or ``ko``: Korean notebooks and messages, the students' JupyterLab in Korean)::

    hub.json                 the class: instructor, students, folders, ports (read by jupyterhub_config.py)
    jupyterhub_config.py     PAM accounts limited to the class, per-role Jupyter configuration
    env/                     Python environment of the hub and of every user's JupyterLab: JupyterHub,
                             JupyterLab, nbgrader, numpy, matplotlib, tqdm, pinned; no course code
    proxy/                   configurable-http-proxy from the npm registry (``npm ci``, pinned by a lockfile)
    exchange/                nbgrader's folder exchange (world-writable, sticky)
    jupyter/student/         a student's configuration: Assignments tab and Validate; no formgrader,
                             no Create Assignment, no course list; JupyterLab in the class's language
    jupyter/instructor/      the instructor's: everything, with the course folder as nbgrader's root
    state/                   JupyterHub's database, cookie secret and pid (root only)
    initial-passwords.txt    the random first password of each account it created (root only)
    created-users.txt        the accounts it created (the only ones `teardown --remove-users` removes)

and the course folder (default ``~instructor/backprop-course``): owned by the instructor, closed to others,
holding ``source/``, the generated ``release/``, the gradebook with the class roster, and its
``nbgrader_config.py`` (course id, exchange, late policy). ``start`` runs JupyterHub in the foreground.
"""

import grp
import json
import os
import pwd
import re
import secrets
import shutil
import stat
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder.i18n import UnknownLanguage, check_language

from .sequence import ROOT, assignments
from .student_env import StudentEnvError, select_lab_language

FILES = Path(__file__).parent / "hub_files"
DEFAULT_HUB_DIR = Path("/srv/backprop-hub")
COURSE_ID = "backprop-from-scratch"
# what every user's JupyterLab needs (pinned by requirements/constraints.txt on Python 3.11, else by these)
ENV_PACKAGES = ["jupyterhub==6.1.1", "jupyterlab==4.4.10", "notebook>=7.4,<7.5", "nbgrader==0.9.6", "ipykernel",
                "numpy>=1.24", "matplotlib>=3.7", "tqdm>=4.60",
                "jupyterlab-language-pack-ko-kr>=4.4.post0,<4.5"]  # JupyterLab in Korean (course/student_env.py)
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
USERNAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")  # Debian's useradd, and no '+' (nbgrader's separator)
# a student's JupyterLab: nbgrader's Assignments tab and Validate button only
STUDENT_LAB_OFF = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                   "@jupyter/nbgrader:course-list"]
STUDENT_SERVER_OFF = ["nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list"]
QUIET_LAB = {"@jupyterlab/apputils-extension:announcements": True}  # no news pop-up over the page


class HubError(Exception):
    """Something the person running ``course hub`` must fix; the message says what."""


@dataclass
class HubClass:
    """The class, as hub.json stores it."""

    instructor: str
    students: list
    course_dir: str
    exchange: str
    env: str
    proxy: str
    ip: str = "127.0.0.1"
    port: int = 8000
    hub_port: int = 8081
    proxy_api_port: int = 8001
    course_id: str = COURSE_ID
    created_users: list = field(default_factory=list)  # accounts `setup` made (and `teardown` may remove)
    language: str = "en"  # the edition: notebooks, messages, the students' JupyterLab (`setup --lang`)

    @classmethod
    def load(cls, hub_dir):
        """The class set up in ``hub_dir`` (from its hub.json); raises HubError when there is none."""
        path = Path(hub_dir) / "hub.json"
        if not path.exists():
            raise HubError(f"no class set up in {hub_dir} (no hub.json): run `course hub setup` first.")
        return cls(**json.loads(path.read_text()))

    def save(self, hub_dir):
        """Write the class to ``hub_dir``/hub.json."""
        _write(Path(hub_dir) / "hub.json", json.dumps(asdict(self), indent=1) + "\n", 0o644)


CREATED = "created-users.txt"  # the accounts `setup` made, one a line, written as each is made


def created_users(hub_dir):
    """The accounts ``course hub setup`` created for the class in ``hub_dir``."""
    path = Path(hub_dir) / CREATED
    return [n for n in path.read_text().split() if n] if path.exists() else []


def _write(path, text, mode):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(text)
    os.chmod(tmp, mode)
    tmp.replace(path)


def _require_root(what):
    if os.geteuid() != 0:
        raise HubError(f"`course hub {what}` creates accounts and runs JupyterHub: run it as root (sudo).")


def check_names(names):
    """Raise HubError naming every one of ``names`` that cannot be an account name."""
    bad = [n for n in names if not USERNAME.match(n)]
    if bad:
        raise HubError(f"not usable as account names: {', '.join(map(repr, bad))} (lowercase letters, digits, "
                       "'_' and '-', at most 32, starting with a letter)")


# --- what students could read -----------------------------------------------------------------------------

def readable_by_others(path):
    """Could a user who is neither owner nor in the group read ``path`` (every folder above it passable)?"""
    path = Path(path).resolve()
    for parent in reversed(path.parents):
        if not os.stat(parent).st_mode & stat.S_IXOTH:
            return False
    mode = os.stat(path).st_mode
    need = stat.S_IROTH | (stat.S_IXOTH if stat.S_ISDIR(mode) else 0)
    return mode & need == need


def exposed_answers(root=ROOT):
    """The course's secrets that every account on this machine could read."""
    secrets_ = [root / "source", root / "autograder" / "reference", root / "autograder" / "checks"]
    return [p for p in secrets_ if p.exists() and readable_by_others(p)]


# --- accounts -----------------------------------------------------------------------------------------------

def user_exists(name):
    """Is there an account called ``name``?"""
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def create_user(name, password=None):
    """A Linux account with a home folder and its own group; ``password`` set with chpasswd (None: locked)."""
    subprocess.run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", name], check=True,
                   capture_output=True, text=True)
    if password:
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n", check=True, capture_output=True, text=True)


def remove_user(name):
    """Remove an account and its home folder (only accounts `setup` created are passed here). Returns what
    userdel said when it could not (a process of the user still running: stop the hub first)."""
    done = subprocess.run(["userdel", "--remove", name], capture_output=True, text=True)
    try:
        grp.getgrnam(name)
        subprocess.run(["groupdel", name], capture_output=True)
    except KeyError:
        pass
    return done.stderr.strip() if done.returncode else ""


def home_of(name):
    """The home folder of account ``name``."""
    return Path(pwd.getpwnam(name).pw_dir)


def _chown_tree(path, user):
    entry = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        os.lchown(root, entry.pw_uid, entry.pw_gid)
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            os.lchown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)


# --- the hub's environment and proxy ------------------------------------------------------------------------

def runnable_by_all(path):
    """Can every account run ``path`` (after links): every folder above passable, the file readable and
    executable by others? (A Python under /root/.pyenv is not: the users' servers could not start.)"""
    path = Path(os.path.realpath(path))
    if not path.is_file() or not all(os.stat(p).st_mode & stat.S_IXOTH for p in path.parents):
        return False
    return os.stat(path).st_mode & (stat.S_IROTH | stat.S_IXOTH) == stat.S_IROTH | stat.S_IXOTH


def hub_python():
    """``(interpreter, (major, minor))``: a Python 3.10+ with venv that every account can run."""
    candidates = [getattr(sys, "_base_executable", None), sys.executable, shutil.which("python3"), "/usr/bin/python3"]
    tried = []
    for cand in dict.fromkeys(c for c in candidates if c):
        if not runnable_by_all(cand):
            tried.append(f"{cand} (not runnable by other accounts)")
            continue
        probe = subprocess.run([cand, "-c", "import sys, venv, ensurepip; print(*sys.version_info[:2])"],
                               capture_output=True, text=True)
        if probe.returncode:
            tried.append(f"{cand} (no venv/ensurepip: apt-get install python3-venv)")
            continue
        version = tuple(int(v) for v in probe.stdout.split())
        if version >= (3, 10):
            return os.path.realpath(cand), version
        tried.append(f"{cand} (Python {version[0]}.{version[1]}; 3.10+ needed)")
    raise HubError("no Python for the hub that every account can run: " + "; ".join(tried)
                   + ". On Debian: apt-get install python3 python3-venv")


def _pins(text):
    """``{normalised name: version}`` of ``name==version`` lines."""
    pins = {}
    for line in text.splitlines():
        name, sep, version = line.split("#")[0].strip().partition("==")
        if sep:
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version.strip()
    return pins


def _installed(env):
    done = subprocess.run([str(Path(env) / "bin" / "python"), "-m", "pip", "list", "--format=freeze",
                           "--disable-pip-version-check"], capture_output=True, text=True)
    return _pins(done.stdout) if done.returncode == 0 else {}


def _env_is_current(env, python, version):
    """Is ``env`` built by :func:`build_env` from this Python and these packages, with every package that
    requirements/constraints.txt pins at its pinned version? (A change to an unrelated pin keeps it.)"""
    stamp = Path(env) / ".backprop-hub-env"
    try:
        made = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return False
    if made.get("python") != python or made.get("packages") != ENV_PACKAGES or not (Path(env) / "bin" /
                                                                                    "jupyterhub").exists():
        return False
    if made.get("constrained"):
        wanted, have = _pins(CONSTRAINTS.read_text()), made.get("installed", {})
        return all(wanted[name] == v for name, v in have.items() if name in wanted)
    return True  # built from the course's ranges (the pins do not install on this Python): those are unchanged


def build_env(env, log=print):
    """The hub's Python environment: a venv with :data:`ENV_PACKAGES`, pinned by requirements/constraints.txt
    on Python 3.11 (reused while it is current)."""
    env = Path(env)
    python, version = hub_python()
    if _env_is_current(env, python, version):
        return env
    log(f"==> building the hub's Python environment in {env} from {python} (JupyterHub, JupyterLab, nbgrader; "
        "a minute or two)")
    subprocess.run([python, "-m", "venv", "--clear", str(env)], check=True)
    pip = [str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(pip + ["--upgrade", "pip"], capture_output=True)  # Debian's bundled pip is old
    constrained = version == (3, 11)
    done = subprocess.run(pip + ["-c", str(CONSTRAINTS)] + ENV_PACKAGES, capture_output=True, text=True) \
        if constrained else None
    if done is None or done.returncode:
        if done is not None:  # e.g. a pinned package needs a newer 3.11 than this one (Debian 12 has 3.11.2)
            log(f"    the tested pins (requirements/constraints.txt) do not install on {python}; "
                "using the course's own version ranges instead")
            constrained = False
        done = subprocess.run(pip + ENV_PACKAGES, capture_output=True, text=True)
    if done.returncode:
        raise HubError(f"pip could not install the hub's environment:\n{done.stderr[-3000:]}")
    (env / ".backprop-hub-env").write_text(json.dumps(
        {"python": python, "packages": ENV_PACKAGES, "constrained": constrained, "installed": _installed(env)},
        indent=1) + "\n")
    os.chmod(env, 0o755)
    return env


def install_proxy(proxy_dir, log=print):
    """configurable-http-proxy from the npm registry into ``proxy_dir`` (``npm ci``: the committed lockfile)."""
    proxy_dir = Path(proxy_dir)
    binary = proxy_dir / "node_modules" / ".bin" / "configurable-http-proxy"
    lock = (FILES / "proxy" / "package-lock.json").read_bytes()
    if binary.exists() and (proxy_dir / "package-lock.json").exists() and \
            (proxy_dir / "package-lock.json").read_bytes() == lock:
        return binary
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        raise HubError("JupyterHub's proxy needs Node.js and npm: apt-get install nodejs npm")
    log(f"==> installing configurable-http-proxy into {proxy_dir} (npm ci)")
    proxy_dir.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(FILES / "proxy" / name, proxy_dir / name)
    done = subprocess.run([npm, "ci", "--omit=dev", "--no-audit", "--no-fund"], cwd=proxy_dir,
                          capture_output=True, text=True)
    if done.returncode or not binary.exists():
        raise HubError(f"npm could not install configurable-http-proxy:\n{done.stdout[-1500:]}{done.stderr[-1500:]}")
    return binary


# --- nbgrader: exchange, course folder, per-role configuration ------------------------------------------------

def make_exchange(exchange, course_id, instructor):
    """nbgrader's folder exchange: the root world-writable with the sticky bit (as nbgrader documents), the
    course's folder the instructor's, ``inbound`` writable but not listable by students (sticky: nobody
    removes another's submission), ``outbound`` readable, ``feedback`` passable only (files named by a secret)."""
    exchange = Path(exchange)
    exchange.mkdir(parents=True, exist_ok=True)
    os.chown(exchange, 0, 0)
    os.chmod(exchange, 0o1777)
    entry = pwd.getpwnam(instructor)
    course = exchange / course_id
    for path, mode in [(course, 0o755), (course / "inbound", 0o3733), (course / "outbound", 0o755),
                       (course / "feedback", 0o711)]:
        path.mkdir(exist_ok=True)
        os.chown(path, entry.pw_uid, entry.pw_gid)
        os.chmod(path, mode)


def course_config(hub):
    """The course folder's ``nbgrader_config.py``: the course's settings, the exchange, the late policy."""
    settings = (ROOT / "course" / "nbgrader_config.py").read_text()
    edition = f"c.GradingSettings.language = {hub.language!r}  # the class's edition (`course hub setup --lang`)"
    settings = "\n".join(edition if line.startswith("c.GradingSettings.language") else line
                         for line in settings.splitlines() if not line.startswith("c = get_config()"))
    return f"""# nbgrader settings of this course folder, written by `course hub setup`; yours to edit.
# `course grade` and the instructor's JupyterLab (formgrader, nbgrader commands) read it.
c = get_config()  # noqa: F821

# --- the course's settings (from the repository's course/nbgrader_config.py) ---
{settings.strip()}

# `course grade` writes the feedback pages; nbgrader's Generate Feedback button is not needed (and the course's
# preprocessor above is not installed in the hub's environment)
c.GenerateFeedback.preprocessors = ["nbgrader.preprocessors.GetGrades",
                                    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
                                    "nbgrader.preprocessors.ClearHiddenTests"]

# --- the class ---
c.CourseDirectory.course_id = {hub.course_id!r}
c.CourseDirectory.root = {hub.course_dir!r}
c.Exchange.root = {hub.exchange!r}

# --- late work ---
# Due dates live in the gradebook: the formgrader (Manage Assignments, edit), or
#   nbgrader db assignment add 02_simple_layers --duedate="2025-03-01 17:00:00 Europe/Berlin"
# `course grade` applies the penalty of nbgrader's late-submission plugin (c.AssignLatePenalties.plugin_class;
# by default course.lateness.LatePenalty): 'zero' takes every point of late work; otherwise late work loses
# percent_per_day percent of its score per started day after the due date and the grace period.
c.LateSubmissionPlugin.penalty_method = "none"
c.LatePenalty.percent_per_day = 10
c.LatePenalty.grace_minutes = 0
"""


def role_configs(hub_dir, hub):
    """``jupyter/student/`` and ``jupyter/instructor/``: the JUPYTER_CONFIG_PATH of each role's JupyterLab."""
    base = Path(hub_dir) / "jupyter"
    nbgrader_common = (f"c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = {hub.course_id!r}\n"
                       f"c.Exchange.root = {hub.exchange!r}\n")
    student = base / "student"
    _write(student / "nbgrader_config.py", "# a student's nbgrader: fetch, validate, submit, fetch feedback\n"
           + nbgrader_common, 0o644)
    _write(student / "jupyter_server_config.json", json.dumps(
        {"ServerApp": {"jpserver_extensions": {name: False for name in STUDENT_SERVER_OFF}}}, indent=1), 0o644)
    _write(student / "labconfig" / "page_config.json", json.dumps(
        {"disabledExtensions": dict(QUIET_LAB, **{name: True for name in STUDENT_LAB_OFF})}, indent=1), 0o644)
    # the class's language is the default of every student's JupyterLab (labconfig/default_setting_overrides.json)
    try:
        select_lab_language(hub.language, prefix=hub.env, config_dir=student)
    except StudentEnvError as exc:
        raise HubError(str(exc)) from None
    instructor = base / "instructor"
    _write(instructor / "nbgrader_config.py", "# the instructor's nbgrader: the course folder's own settings\n"
           "c = get_config()  # noqa: F821\n"
           f"c.CourseDirectory.root = {hub.course_dir!r}\n"
           f"load_subconfig({str(Path(hub.course_dir) / 'nbgrader_config.py')!r})  # noqa: F821\n", 0o644)
    _write(instructor / "labconfig" / "page_config.json", json.dumps({"disabledExtensions": QUIET_LAB}, indent=1),
           0o644)
    for folder in (base, student, student / "labconfig", instructor, instructor / "labconfig"):
        os.chmod(folder, 0o755)


def make_course_dir(hub, names=None, log=print):
    """The instructor's course folder: source/, release/ generated by nbgrader, the gradebook with the roster."""
    from nbgrader.api import Gradebook

    from .grading import prepare_course_dir

    course = Path(hub.course_dir)
    course.mkdir(parents=True, exist_ok=True)
    _write(course / "nbgrader_config.py", course_config(hub), 0o644)
    api, selected = prepare_course_dir(course, names, log=log, lang=hub.language)  # `course grade` does it first, too
    for a in selected:
        log(f"    generated {a.name} in {course / 'release'}")
    with Gradebook(api.coursedir.db_url, hub.course_id) as gb:
        for student in hub.students:
            gb.update_or_create_student(student)
    _chown_tree(course, hub.instructor)
    os.chmod(course, 0o700)


# --- the commands -------------------------------------------------------------------------------------------

def setup(hub_dir=DEFAULT_HUB_DIR, *, instructor, students, course_dir=None, env=None, port=8000, ip="127.0.0.1",
          names=None, passwords=True, allow_readable_repo=False, lang=None, log=print):
    """Set up (or update) a class; returns the :class:`HubClass`. Idempotent: existing accounts are kept as
    they are, new students are added. ``lang``: the class's edition, ``en`` or ``ko`` (None: the class's
    language so far; English for a new class)."""
    _require_root("setup")
    try:
        lang = check_language(lang) if lang is not None else None
    except UnknownLanguage as exc:
        raise HubError(str(exc)) from None
    check_names([instructor, *students])
    if instructor in students:
        raise HubError(f"{instructor} cannot be both the instructor and a student.")
    exposed = exposed_answers()
    if exposed and not allow_readable_repo:
        raise HubError(
            "every account on this machine could read the course's answers: "
            + ", ".join(map(str, exposed)) + f".\nMake the repository private first: chmod 700 {ROOT} "
            "(the hub does not need it; run `course` as root), or pass --allow-readable-repo on a machine where "
            "no student has an account of their own.")
    hub_dir = Path(hub_dir).resolve()
    hub_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(hub_dir, 0o755)
    old = HubClass.load(hub_dir) if (hub_dir / "hub.json").exists() else None
    if old and old.instructor != instructor:
        raise HubError(f"{hub_dir} is the class of instructor {old.instructor}: use another --hub-dir.")

    new_passwords = []
    for name in [instructor, *students]:
        if user_exists(name):
            continue
        password = secrets.token_urlsafe(12) if passwords else None
        create_user(name, password)
        with open(hub_dir / CREATED, "a") as fh:  # at once: a later failure must not forget who was created
            fh.write(name + "\n")
        if password:
            new_passwords.append(f"{name}\t{password}")
        log(f"    created the account {name}")
    if new_passwords:
        path = hub_dir / "initial-passwords.txt"
        old_text = path.read_text() if path.exists() else ""
        _write(path, old_text + "\n".join(new_passwords) + "\n", 0o600)
        log(f"    first passwords of the new accounts: {path} (root only; each user changes theirs with `passwd`)")

    students = sorted(set(old.students if old else []) | set(students))
    course_dir = Path(course_dir).resolve() if course_dir else home_of(instructor) / "backprop-course"
    hub = HubClass(instructor=instructor, students=students, course_dir=str(course_dir),
                   exchange=str(hub_dir / "exchange"), env=str(Path(env).resolve() if env else hub_dir / "env"),
                   proxy="", ip=ip, port=port, created_users=created_users(hub_dir),
                   hub_port=old.hub_port if old else 8081, proxy_api_port=old.proxy_api_port if old else 8001,
                   language=lang or (old.language if old else "en"))
    if not Path(hub.course_dir).resolve().is_relative_to(home_of(instructor).resolve()):
        raise HubError(f"the course folder must be inside {instructor}'s home ({home_of(instructor)}): the "
                       "formgrader only serves folders under the notebook server's root.")
    build_env(hub.env, log=log)
    for path in (Path(hub.env) / "bin" / "jupyterhub-singleuser", hub_dir / "jupyterhub_config.py"):
        parent = path.parent
        if not all(os.stat(p).st_mode & stat.S_IXOTH for p in [parent, *parent.parents]):
            raise HubError(f"{parent} is not passable by every account, so their JupyterLab cannot start: "
                           "choose a --hub-dir / --env outside private folders (e.g. under /srv or /opt).")
    hub.proxy = str(install_proxy(hub_dir / "proxy", log=log))
    make_exchange(hub.exchange, hub.course_id, instructor)
    role_configs(hub_dir, hub)
    log(f"==> course folder {hub.course_dir} (owned by {instructor})")
    make_course_dir(hub, names, log=log)
    state = hub_dir / "state"
    state.mkdir(exist_ok=True)
    os.chmod(state, 0o700)
    shutil.copy(FILES / "jupyterhub_config.py", hub_dir / "jupyterhub_config.py")
    os.chmod(hub_dir / "jupyterhub_config.py", 0o644)
    hub.save(hub_dir)
    return hub


def hub_command(hub_dir=DEFAULT_HUB_DIR, *, port=None, hub_port=None, proxy_api_port=None):
    """The command line (and environment) that runs this class's JupyterHub."""
    hub_dir = Path(hub_dir).resolve()
    hub = HubClass.load(hub_dir)
    cmd = [str(Path(hub.env) / "bin" / "jupyterhub"), "-f", str(hub_dir / "jupyterhub_config.py")]
    if port:
        cmd.append(f"--JupyterHub.port={port}")
    if hub_port:
        cmd.append(f"--JupyterHub.hub_port={hub_port}")
    if proxy_api_port:
        cmd.append(f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{proxy_api_port}")
    env = {"PATH": f"{Path(hub.env) / 'bin'}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
           "HOME": "/root", "USER": "root"}
    return cmd, env, hub_dir / "state"


def start(hub_dir=DEFAULT_HUB_DIR, **ports):
    """Run JupyterHub in the foreground (Ctrl-C stops it, and every user's server with it)."""
    _require_root("start")
    cmd, env, cwd = hub_command(hub_dir, **ports)
    hub = HubClass.load(hub_dir)
    print(f"JupyterHub for {len(hub.students)} student(s) and instructor {hub.instructor}: "
          f"http://{hub.ip}:{ports.get('port') or hub.port}/", flush=True)
    os.chdir(cwd)
    os.execve(cmd[0], cmd, env)


def as_instructor(hub_dir, args, **kwargs):
    """Run ``args`` (e.g. ``nbgrader collect 02_simple_layers``) as the instructor, in the course folder, with
    the instructor's configuration and the hub's environment."""
    _require_root("nbgrader")
    hub = HubClass.load(hub_dir)
    entry = pwd.getpwnam(hub.instructor)
    env = {"PATH": f"{Path(hub.env) / 'bin'}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
           "HOME": entry.pw_dir, "USER": hub.instructor, "LOGNAME": hub.instructor,
           "JUPYTER_CONFIG_PATH": str(Path(hub_dir).resolve() / "jupyter" / "instructor")}
    runuser = shutil.which("runuser") or shutil.which("runuser", path="/usr/sbin:/sbin:/usr/bin:/bin") or "runuser"
    return subprocess.run([runuser, "-u", hub.instructor, "--", *args], cwd=hub.course_dir, env=env, **kwargs)


def release_to_exchange(hub_dir, names, log=print):
    """Generate the assignments in the course folder and release them to the exchange, as the instructor
    (what the formgrader's Release button does)."""
    hub = HubClass.load(hub_dir)
    make_course_dir(hub, names, log=log)
    for a in assignments(ROOT, names):
        done = as_instructor(hub_dir, ["nbgrader", "release_assignment", a.name, "--force"], capture_output=True,
                             text=True)
        if done.returncode:
            raise HubError(f"nbgrader release_assignment {a.name} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        log(f"released {a.name} to the exchange ({hub.exchange}/{hub.course_id}/outbound/{a.name})")


def teardown(hub_dir=DEFAULT_HUB_DIR, *, remove_users=False, log=print):
    """Remove the hub folder (its environment too, when it is inside), and with ``remove_users`` the accounts
    `setup` created (their homes, hence the course folder, with them)."""
    _require_root("teardown")
    hub_dir = Path(hub_dir).resolve()
    if remove_users:
        for name in created_users(hub_dir):
            problem = remove_user(name)
            log(f"    could not remove the account {name}: {problem}" if problem else f"    removed the account {name}")
    shutil.rmtree(hub_dir, ignore_errors=True)
    log(f"removed {hub_dir}")
