"""Permission matrix rows for the notifications app (tests/test_permissions.py)."""

ROWS: list = []


def objects(world) -> dict[str, dict]:
    return {}
