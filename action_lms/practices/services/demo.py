"""Demo data: the practices of `practices/demo_practices.yaml`, published, imported by the
same rules as `flask practices import`. Idempotent: a second run changes nothing."""

from __future__ import annotations

from pathlib import Path

from .importing import ImportResult, import_file

DEMO_FILE = Path(__file__).resolve().parents[1] / "demo_practices.yaml"


def seed_demo() -> ImportResult:
    """Import the demo practices; a demo file that does not pass the rules is a bug, said loudly."""
    result = import_file(DEMO_FILE)
    if not result.ok:
        raise RuntimeError("The demo practices do not import: " + "; ".join(result.problems))
    return result
