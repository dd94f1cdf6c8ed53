"""Reads of care data that a user triggers."""


def care_case_context(*, actor, case) -> dict:
    """Context for care/case_sections.html on the case page."""
    return {}
