"""Personal data hooks. Each domain registers an exporter and an eraser so that
`GET /api/v1/me/data` and `DELETE /api/v1/me` cover every table holding personal data."""
from __future__ import annotations

from collections.abc import Callable

_exporters: dict[str, Callable] = {}
_erasers: dict[str, Callable] = {}


def exporter(section: str):
    def decorate(fn):
        _exporters[section] = fn
        return fn

    return decorate


def eraser(section: str):
    def decorate(fn):
        _erasers[section] = fn
        return fn

    return decorate


def export_all(user) -> dict:
    return {section: fn(user) for section, fn in sorted(_exporters.items())}


def erase_all(user) -> None:
    for _, fn in sorted(_erasers.items()):
        fn(user)
