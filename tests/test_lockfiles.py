"""The lock files `bash dev` and CI install from pin every dependency of pyproject.toml,
at a version its specifier allows, with hashes (pip installs them with --require-hashes)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
_PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s\\]+)")


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)
    pins = {}
    for entry in entries:
        match = _PIN.match(entry)
        if match:
            assert "--hash=sha256:" in entry, f"{lock}: {match.group(1)} has no hash"
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def _wanted(extras: tuple[str, ...]) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    names = list(project["project"]["dependencies"])
    names += project["build-system"]["requires"]
    for extra in extras:
        names += project["project"]["optional-dependencies"][extra]
    return [Requirement(name) for name in names]


@pytest.mark.parametrize(
    ("lock", "extras"), [("requirements.lock", ()), ("requirements-test.lock", ("test",))]
)
def test_the_lock_pins_every_dependency_within_its_specifier(
    lock: str, extras: tuple[str, ...]
) -> None:
    pins = _pins(lock)
    for requirement in _wanted(extras):
        version = pins.get(canonicalize_name(requirement.name))
        assert version is not None, f"{requirement.name} is not in {lock}: run `bash dev lock`"
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} pins {requirement.name}=={version}, outside {requirement.specifier}"
        )
