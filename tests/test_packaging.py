"""Installed from a wheel, not a checkout: the bundled content ships inside the package, so
`python -m bot check` works from any folder, and `content init` copies it out for editing."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from bot import PROJECT_ROOT


def test_the_package_list_names_every_package_in_the_tree() -> None:
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {".".join(p.relative_to(PROJECT_ROOT).parts) for top in ("bot", "scheduler")
             for p in [PROJECT_ROOT / top, *(PROJECT_ROOT / top).rglob("*")]
             if p.is_dir() and p.name != "__pycache__"
             and any(f.suffix in {".py", ".sql"} for f in p.iterdir())}
    content = {"bot.bundled_content", *(f"bot.bundled_content.{p.name}" for p in
                                        (PROJECT_ROOT / "content").iterdir() if p.is_dir())}
    assert listed == found | content


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from this tree and unpacked as pip would install it (pure Python)."""
    import shutil

    tree = tmp_path_factory.mktemp("tree")     # a copy: the build leaves build/ behind
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT_ROOT / name, tree / name)
    for name in ("bot", "scheduler", "content"):
        shutil.copytree(PROJECT_ROOT / name, tree / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(out), str(tree)], check=True,
                   capture_output=True, timeout=180)
    wheel = next(out.glob("suara-*.whl"))
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def run(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"CONTENT_DIR", "PYTHONPATH"}}
    env["PYTHONPATH"] = str(site)          # ahead of the editable checkout on sys.path
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=120)


def test_an_installed_wheel_checks_its_bundled_content_from_any_folder(
        installed: Path, tmp_path: Path) -> None:
    result = run(installed, tmp_path, "check")
    assert result.returncode == 0, result.stderr
    assert f"content OK: {installed / 'bot' / 'bundled_content'}" in result.stdout
    assert "17 kabupaten/kota" in result.stdout and "16.03 Kabupaten Muara Enim" in result.stdout


def test_content_init_copies_the_bundled_content_for_editing(installed: Path, tmp_path: Path) -> None:
    target = tmp_path / "my-content"
    result = run(installed, tmp_path, "content", "init", str(target))
    assert result.returncode == 0, result.stderr
    assert (target / "election.yaml").is_file() and (target / "faq").is_dir()
    assert not list(target.rglob("__init__.py")) and not list(target.rglob("__pycache__"))
    assert run(installed, tmp_path, "check", "--content", str(target)).returncode == 0
    again = run(installed, tmp_path, "content", "init", str(target))
    assert again.returncode == 2 and "not empty" in again.stderr
