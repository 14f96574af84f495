"""`course hub setup --lang ko`: what a class's language changes in the files the hub and its JupyterLabs read,
read back the way they read them (JupyterLab's server in a fresh process with the role's JUPYTER_CONFIG_PATH,
traitlets for the two configuration files). The hub's environment here is this one, which has the language pack.
"""

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace

import pytest
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from course import hub as hub_mod
from course import student_env

if not student_env.language_pack_installed("ko"):
    pytest.skip("JupyterLab's Korean language pack is not installed here (./dev setup installs it)",
                allow_module_level=True)

READ_OVERRIDES = ("import json, sys; from jupyterlab_server.settings_utils import _get_overrides; "
                  "print(json.dumps(_get_overrides(sys.argv[1])[0]))")


def a_class(tmp_path, lang):
    return hub_mod.HubClass(instructor="teacher", students=["kim", "lee"], course_dir=str(tmp_path / "course"),
                            exchange=str(tmp_path / "exchange"), env=sys.prefix, proxy="", language=lang)


def lab_defaults(tmp_path, config_path):
    """The settings defaults a JupyterLab started with JUPYTER_CONFIG_PATH=config_path would use."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env.update(JUPYTER_CONFIG_PATH=str(config_path), JUPYTER_CONFIG_DIR=str(tmp_path / "nobody" / ".jupyter"))
    done = subprocess.run([sys.executable, "-c", READ_OVERRIDES, str(tmp_path / "no-app-settings")], env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_students_jupyterlab_speaks_the_classs_language(tmp_path, lang):
    hub_dir = tmp_path / "hub"
    hub_mod.role_configs(hub_dir, a_class(tmp_path, lang))
    student = lab_defaults(tmp_path, hub_dir / "jupyter" / "student")
    instructor = lab_defaults(tmp_path, hub_dir / "jupyter" / "instructor")
    locale = student.get(student_env.TRANSLATION_PLUGIN, {}).get("locale")
    assert locale == ("ko_KR" if lang == "ko" else None), student
    assert student_env.TRANSLATION_PLUGIN not in instructor  # the instructor picks their own (Settings ▸ Language)
    if lang == "ko":  # set up again in English: the students' default goes back
        hub_mod.role_configs(hub_dir, a_class(tmp_path, "en"))
        assert student_env.TRANSLATION_PLUGIN not in lab_defaults(tmp_path, hub_dir / "jupyter" / "student")


def test_a_hub_environment_without_the_pack_is_named(tmp_path):
    empty_env = tmp_path / "env"
    (empty_env / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    with pytest.raises(hub_mod.HubError, match="language pack is not installed"):
        hub_mod.role_configs(tmp_path / "hub", replace(a_class(tmp_path, "ko"), env=str(empty_env)))


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_course_folder_grades_in_the_classs_edition(tmp_path, lang):
    """The course folder's nbgrader_config.py (what `course grade` there reads) holds the class's language once."""
    text = hub_mod.course_config(a_class(tmp_path, lang))
    assert text.count("c.GradingSettings.language") == 1
    (tmp_path / "nbgrader_config.py").write_text(text)
    config = PyFileConfigLoader("nbgrader_config.py", str(tmp_path)).load_config()
    assert config.GradingSettings.language == lang


def test_every_kernel_of_the_class_gets_its_language(tmp_path):
    """jupyterhub_config.py gives each user's server BACKPROP_LANG (the visible checks' language) from hub.json;
    a hub.json written before classes had a language means English."""
    shutil.copy(hub_mod.FILES / "jupyterhub_config.py", tmp_path / "jupyterhub_config.py")
    for lang in ("ko", None):
        saved = a_class(tmp_path, lang or "en")
        saved.save(tmp_path)
        if lang is None:
            old = json.loads((tmp_path / "hub.json").read_text())
            del old["language"]
            (tmp_path / "hub.json").write_text(json.dumps(old))
            assert hub_mod.HubClass.load(tmp_path).language == "en"
        config = PyFileConfigLoader("jupyterhub_config.py", str(tmp_path)).load_config()
        assert isinstance(config, Config)
        assert config.Spawner.environment["BACKPROP_LANG"] == (lang or "en")


@pytest.mark.skipif(os.geteuid() != 0, reason="`course hub setup` runs as root only")
def test_an_unknown_language_is_refused_before_anything_is_made(tmp_path):
    with pytest.raises(hub_mod.HubError, match="no edition in language 'fr'"):
        hub_mod.setup(tmp_path / "hub", instructor="teacher", students=["kim"], lang="fr")
    assert not (tmp_path / "hub").exists()
