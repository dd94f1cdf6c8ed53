"""What closing a case does to the records of the apps above cases, without cases importing
them (the care app: the child's current placement ends with the closure, and the closure
reason must agree with the child's last placement).

A **closure step** (``closure_step``) has three functions, all keyword-only:

- ``check(case=, reason=, placement_outcome=)``: raises ``ServiceError`` if the case cannot be
  closed for *reason* as it stands (called when closing is asked for and again when it is
  approved, inside the service's transaction, the case locked);
- ``preview(case=, reason=, placement_outcome=, closed_on=)``: the sentences the approval page
  shows of what the step will change;
- ``close(actor=, case=, placement_outcome=, closed_on=, ip=)``: makes the change, in the
  approving transaction, audited.

An app registers its steps in its ``AppConfig.ready()``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ClosureStep:
    name: str
    check: Callable[..., None]
    preview: Callable[..., list[str]]
    close: Callable[..., None]


_steps: dict[str, ClosureStep] = {}


def closure_step(step: ClosureStep) -> None:
    _steps[step.name] = step


def closure_steps() -> list[ClosureStep]:
    return list(_steps.values())
