"""Sections that higher apps add to the public platform page, without platforms knowing them.

The budgets app adds the budget summary and recognition adds the recognition history: each
registers a template and a context function in its AppConfig.ready(); the platform page
renders them in order. Platforms depends on neither (see .importlinter).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from platforms.models import Platform


@dataclass(frozen=True)
class Fragment:
    order: int
    template: str
    context: Callable[[Platform], dict[str, Any]]


_registry: dict[str, Fragment] = {}


def register(name: str, *, order: int, template: str, context: Callable[[Platform], dict]) -> None:
    _registry[name] = Fragment(order=order, template=template, context=context)


def platform_fragments() -> list[Fragment]:
    return sorted(_registry.values(), key=lambda f: f.order)
