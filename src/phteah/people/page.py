"""The person page is assembled from parts that apps contribute (the cases app adds the
person's cases), so that people never imports the apps above it. Same shape as the case
page's registry (phteah.cases.page)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PersonSection:
    key: str
    template: str
    context: Callable[..., dict]  # (actor=, person=) -> dict read by the template
    position: int


_sections: dict[str, PersonSection] = {}


def person_section(section: PersonSection) -> None:
    _sections[section.key] = section


def sections() -> list[PersonSection]:
    return sorted(_sections.values(), key=lambda section: section.position)
