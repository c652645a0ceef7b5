"""ASVS 5.0 V15.1.1 / V15.2.1: the dependency set is pinned, with hashes, in
requirements-dev.lock, so that an audit (`pip-audit -r requirements-dev.lock`) sees exactly what
is installed; a dependency added to pyproject.toml without locking it fails here."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_v15_every_declared_dependency_is_pinned_with_its_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    lock = (ROOT / "requirements-dev.lock").read_text()
    pinned = {
        m.group(1).lower().replace("_", "-"): m.group(2)
        for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==(\S+) \\$", lock, re.M)
    }
    assert declared - set(pinned) == set()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n\n", 1)[-1])
    assert all("--hash=sha256:" in block for block in blocks if "==" in block)
