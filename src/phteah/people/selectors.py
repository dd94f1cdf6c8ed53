"""Reads of people data that a user triggers."""


def person_case_context(*, actor, case) -> dict:
    """Context for people/case_sections.html on the case page."""
    return {}
