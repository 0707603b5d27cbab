"""Build hook, the one thing pyproject.toml cannot say: the wheel carries the repository's
``data/demo`` and ``data/paper`` inside the package, at ``workbench/_data`` (where
``workbench.paths.bundled_data_dir`` looks in an installed package). setuptools maps a folder into
a package only for packages it is told by name, and this project's packages are found, not listed.
``data/`` stays at the top of the repository, and a checkout or an editable install reads it there.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("demo", "paper")  # the folders of data/ the package reads (paths.py)


class BuildPyWithData(build_py):
    """``build_py``, then ``data/<name>`` copied to ``<build>/workbench/_data/<name>``."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return  # an editable install runs from the checkout, which has data/
        for name in BUNDLED:
            target = Path(self.build_lib, "workbench", "_data", name)
            self.copy_tree(str(ROOT / "data" / name), str(target))


setup(cmdclass={"build_py": BuildPyWithData})
