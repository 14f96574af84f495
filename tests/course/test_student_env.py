"""course/student_env.py: JupyterLab's language chosen through a Jupyter config folder, as JupyterLab's own server
reads it (jupyterlab_server, in a fresh process whose Jupyter config path holds only that folder)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.i18n import UnknownLanguage
from course import student_env
from course.sequence import ROOT

# what JupyterLab's settings handler starts from: the defaults overridden by every config folder's labconfig
READ_OVERRIDES = ("import json, sys; from jupyterlab_server.settings_utils import _get_overrides; "
                  "overrides, error = _get_overrides(sys.argv[1]); print(json.dumps([overrides, str(error)]))")


def overrides_seen_by_jupyterlab(config_dir, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env.update(JUPYTER_CONFIG_DIR=str(config_dir), JUPYTER_CONFIG_PATH="", HOME=str(tmp_path / "home"))
    done = subprocess.run([sys.executable, "-c", READ_OVERRIDES, str(tmp_path / "no-app-settings")], env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    overrides, error = json.loads(done.stdout)
    assert error == "", error
    return overrides


def test_korean_is_the_default_jupyterlab_reads_and_english_takes_it_back(tmp_path):
    config = tmp_path / "config"
    other = {"@jupyterlab/notebook-extension:tracker": {"codeCellConfig": {"lineNumbers": True}}}
    (config / "labconfig").mkdir(parents=True)
    (config / student_env.OVERRIDES).write_text(json.dumps(other))
    path = student_env.select_lab_language("ko", config_dir=config)
    assert path == config / "labconfig" / "default_setting_overrides.json"
    seen = overrides_seen_by_jupyterlab(config, tmp_path)
    assert seen[student_env.TRANSLATION_PLUGIN] == {"locale": "ko_KR"}
    assert seen["@jupyterlab/notebook-extension:tracker"] == other["@jupyterlab/notebook-extension:tracker"]
    assert student_env.lab_language(config_dir=config) == "ko"
    assert student_env.select_lab_language("ko", config_dir=config).read_bytes() == path.read_bytes()  # idempotent

    student_env.select_lab_language("en", config_dir=config)
    seen = overrides_seen_by_jupyterlab(config, tmp_path)
    assert student_env.TRANSLATION_PLUGIN not in seen and seen == other  # what was there before stays
    assert student_env.lab_language(config_dir=config) == "en"
    (config / student_env.OVERRIDES).unlink()
    student_env.select_lab_language("ko", config_dir=config)
    student_env.select_lab_language("en", config_dir=config)
    assert not (config / student_env.OVERRIDES).exists()  # nothing of the course's is left behind


def test_the_environments_own_config_folder_is_on_jupyters_path():
    """Locally the setting goes to <sys.prefix>/etc/jupyter, a folder of Jupyter's config path."""
    from jupyter_core.paths import jupyter_config_path

    assert student_env.lab_config_dir() == Path(sys.prefix) / "etc" / "jupyter"
    assert str(student_env.lab_config_dir()) in jupyter_config_path()


def test_a_missing_language_pack_or_an_unknown_language_is_refused(tmp_path):
    empty_env = tmp_path / "env"
    (empty_env / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    with pytest.raises(student_env.StudentEnvError, match="pip install jupyterlab-language-pack-ko-KR"):
        student_env.select_lab_language("ko", prefix=empty_env)
    assert not (empty_env / "etc").exists()
    assert student_env.select_lab_language("en", prefix=empty_env) == empty_env / "etc" / "jupyter" / \
        student_env.OVERRIDES
    with pytest.raises(UnknownLanguage):
        student_env.select_lab_language("fr", config_dir=tmp_path)
    (tmp_path / "bad" / "labconfig").mkdir(parents=True)
    (tmp_path / "bad" / student_env.OVERRIDES).write_text("{not json")
    with pytest.raises(student_env.StudentEnvError, match="not valid JSON"):
        student_env.select_lab_language("ko", config_dir=tmp_path / "bad", require_pack=False)


def test_the_language_pack_is_pinned_for_this_jupyterlab():
    """The pack in requirements/constraints.txt is the one for the pinned JupyterLab's minor version, and installed
    here when the tested pins are (./dev setup)."""
    pins = dict(line.split("==") for line in (ROOT / "requirements" / "constraints.txt").read_text().split()
                if "==" in line)
    pack = pins.get(student_env.LANGUAGE_PACKS["ko"])
    assert pack, "requirements/constraints.txt does not pin jupyterlab-language-pack-ko-KR"
    assert pack.split(".post")[0] == ".".join(pins["jupyterlab"].split(".")[:2]), (pack, pins["jupyterlab"])
    if not student_env.language_pack_installed("ko"):
        pytest.skip("the Korean language pack is not installed in this environment (./dev setup installs it)")
    from importlib import metadata

    assert metadata.version(student_env.LANGUAGE_PACKS["ko"]) == pack


def test_write_matplotlibrc_puts_the_course_file_beside_a_notebook(tmp_path):
    (tmp_path / "matplotlibrc").symlink_to(tmp_path / "elsewhere")
    path = student_env.write_matplotlibrc(tmp_path)
    assert path == tmp_path / "matplotlibrc" and not path.is_symlink()
    assert path.read_bytes() == (ROOT / "course" / "student_files" / "matplotlibrc").read_bytes()
