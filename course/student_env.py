"""What a student's Jupyter needs for an edition of the course: JupyterLab in the student's language, and plots
that can draw its script.

**JupyterLab's language.** JupyterLab shows its menus in the language of its setting
``@jupyterlab/translation-extension:plugin`` → ``locale``, once the language pack of that locale is installed in
the environment of the server (``jupyterlab-language-pack-ko-KR``, pinned in requirements/constraints.txt). The
course sets the *default* of that setting: :func:`select_lab_language` writes it into
``<Jupyter config folder>/labconfig/default_setting_overrides.json``, which JupyterLab's server reads from every
folder of Jupyter's config path (``jupyter --paths``). Locally that is the environment's own config folder
(``<sys.prefix>/etc/jupyter``); on the class's JupyterHub, the students' config folder (``course hub setup
--lang ko``, course/hub.py). A student can still pick another language in Settings ▸ Language (that choice is
a user setting, which wins over the default).

**Plots.** :data:`MATPLOTLIBRC` (``course/student_files/matplotlibrc``) travels in every released folder
beside the notebook (:func:`write_matplotlibrc`): matplotlib reads it from the kernel's working folder and falls
back from DejaVu Sans to a Korean font for Hangul, with no change to English text and no warning where no
Korean font is installed. Debian's ``fonts-noto-cjk`` provides one (``.ci/run`` installs it).
"""

import json
import os
import shutil
import sys
from importlib import metadata
from pathlib import Path

from autograder.i18n import check_language

TRANSLATION_PLUGIN = "@jupyterlab/translation-extension:plugin"
LAB_LOCALES = {"en": None, "ko": "ko_KR"}  # None: JupyterLab's own default (English)
LANGUAGE_PACKS = {"ko": "jupyterlab-language-pack-ko-KR"}  # the PyPI project of each locale's language pack
OVERRIDES = Path("labconfig") / "default_setting_overrides.json"
MATPLOTLIBRC = Path(__file__).resolve().parent / "student_files" / "matplotlibrc"


class StudentEnvError(Exception):
    """The student's environment cannot show the course in the language asked for; the message says why."""


def lab_config_dir(prefix=None):
    """The Jupyter config folder of the environment at ``prefix`` (default: this one), where its JupyterLab reads
    settings defaults: ``<prefix>/etc/jupyter``."""
    return Path(prefix or sys.prefix) / "etc" / "jupyter"


def language_pack_installed(lang, prefix=None):
    """Is the JupyterLab language pack of ``lang`` installed in the environment at ``prefix`` (default: this one)?
    English needs none."""
    project = LANGUAGE_PACKS.get(check_language(lang))
    if project is None:
        return True
    module = project.replace("-", "_")  # jupyterlab_language_pack_ko_KR
    if prefix is None or Path(prefix).resolve() == Path(sys.prefix).resolve():
        try:
            metadata.distribution(project)
            return True
        except metadata.PackageNotFoundError:
            return False
    # another environment: look for its package folder
    return any(Path(prefix).glob(f"lib/python3*/site-packages/{module}/__init__.py"))


def select_lab_language(lang, prefix=None, config_dir=None, require_pack=True):
    """Make ``lang`` (``en``/``ko``) the default language of JupyterLab: of the environment at ``prefix`` (default:
    this one), or of the servers that read the Jupyter config folder ``config_dir`` (e.g. a hub's students').

    Writes ``<config>/labconfig/default_setting_overrides.json``, keeping whatever else it holds; English removes
    the course's setting again (the file too, when nothing else is left). Raises :class:`StudentEnvError` when the
    language pack is not installed at ``prefix`` (unless ``require_pack`` is false: a hub whose environment gets
    it later). Returns the file's path."""
    lang = check_language(lang)
    if require_pack and not language_pack_installed(lang, prefix):
        raise StudentEnvError(f"JupyterLab's {lang} language pack is not installed in "
                              f"{prefix or sys.prefix}: pip install {LANGUAGE_PACKS[lang]} "
                              "(the version for your JupyterLab; this course pins it in requirements/constraints.txt)")
    path = Path(config_dir if config_dir is not None else lab_config_dir(prefix)) / OVERRIDES
    try:
        overrides = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except ValueError as exc:
        raise StudentEnvError(f"{path} is not valid JSON ({exc}); fix or remove it first") from None
    plugin = dict(overrides.get(TRANSLATION_PLUGIN, {}))
    locale = LAB_LOCALES[lang]
    if locale:
        plugin["locale"] = locale
    else:
        plugin.pop("locale", None)
    if plugin:
        overrides[TRANSLATION_PLUGIN] = plugin
    else:
        overrides.pop(TRANSLATION_PLUGIN, None)
    if not overrides:
        if path.exists():
            path.unlink()
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(json.dumps(overrides, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.chmod(tmp, 0o644)
    tmp.replace(path)
    return path


def lab_language(prefix=None, config_dir=None):
    """The course language selected in the Jupyter config folder (``en`` when none is)."""
    path = Path(config_dir if config_dir is not None else lab_config_dir(prefix)) / OVERRIDES
    try:
        locale = json.loads(path.read_text(encoding="utf-8")).get(TRANSLATION_PLUGIN, {}).get("locale")
    except (OSError, ValueError):
        return "en"
    return next((lang for lang, loc in LAB_LOCALES.items() if loc and loc == locale), "en")


def write_matplotlibrc(folder):
    """Put the course's ``matplotlibrc`` (Hangul in plots) into ``folder``, a notebook's folder; returns its path."""
    dest = Path(folder) / MATPLOTLIBRC.name
    if dest.is_symlink():
        dest.unlink()
    shutil.copyfile(MATPLOTLIBRC, dest)
    return dest


def lab_environment(lang, config_dir, env=None):
    """The environment variables of a JupyterLab server for a student of the ``lang`` edition, changing nothing
    installed: the language default written into ``config_dir`` (first on Jupyter's config path, for this server
    only) and ``BACKPROP_LANG`` for its kernels (the visible checks speak the edition's language even in a folder
    without its catalog). ``env``: the variables to start from (default: this process's)."""
    lang = check_language(lang)
    select_lab_language(lang, config_dir=config_dir)
    env = dict(os.environ if env is None else env)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(p for p in (str(config_dir), env.get("JUPYTER_CONFIG_PATH")) if p)
    env["BACKPROP_LANG"] = lang
    return env
