"""Build hook (all other settings are in pyproject.toml): a wheel carries the course's notebooks.

``source/`` and ``release/`` live at the top of the repository, outside any package; a worker that installs
the course from a wheel needs them to grade (see course/layout.py). When a wheel is built, they are copied
into ``course/materials/``. An editable install (``pip install -e .``) copies nothing: it reads them from
the repository.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
MATERIALS = ("source", "release")


class BuildWithMaterials(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "course" / "materials"
        for name in MATERIALS:
            if not (HERE / name / "").is_dir():
                raise SystemExit(f"cannot build the course: {HERE / name} is missing")
            shutil.rmtree(target / name, ignore_errors=True)
            shutil.copytree(HERE / name, target / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))


setup(cmdclass={"build_py": BuildWithMaterials})
