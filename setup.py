"""Build step setuptools cannot declare: compile the message catalogues and ship the
top-level templates/ and migrations/ folders inside the package.

Everything else (name, dependencies, package data) is in pyproject.toml. In a checkout
the app reads templates/ and migrations/ where they are; an installed package reads the
copies this step puts in scheduler/templates and scheduler/migrations.
"""

import os
import shutil

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = os.path.dirname(os.path.abspath(__file__))
SHIPPED_FOLDERS = ("templates", "migrations")


def compile_catalogues(package_dir):
    """Write the .mo beside every .po under package_dir (messages, and the Indonesian
    text of WTForms' own messages); return the .mo paths."""
    written = []
    for folder, _dirs, files in os.walk(package_dir):
        for name in sorted(f for f in files if f.endswith(".po")):
            po_path = os.path.join(folder, name)
            with open(po_path, "rb") as po_file:
                catalog = read_po(po_file)
            mo_path = po_path[: -len(".po")] + ".mo"
            with open(mo_path, "wb") as mo_file:
                write_mo(mo_file, catalog)
            written.append(mo_path)
    return written


class BuildWithCatalogues(build_py):
    def run(self):
        super().run()
        package_dir = os.path.join(self.build_lib, "scheduler")
        for name in SHIPPED_FOLDERS:
            target = os.path.join(package_dir, name)
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(
                os.path.join(ROOT, name),
                target,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
        if not compile_catalogues(package_dir):
            raise RuntimeError("no message catalogue found: the package would be untranslated")


setup(cmdclass={"build_py": BuildWithCatalogues})
