"""What a server process does before its first request, so that no user pays for it: import
every view (through the URLconf) and compile every template (the cached loader keeps them).
The first case page of a fresh process took 290 ms more than the next one."""

from pathlib import Path

from django.template import engines
from django.template.utils import get_app_template_dirs
from django.urls import get_resolver


def templates_compile() -> int:
    """Compile every HTML template of every engine once; how many there were."""
    count = 0
    for engine in engines.all():
        directories = list(engine.dirs)
        if engine.app_dirs:
            directories += get_app_template_dirs(engine.app_dirname)
        for directory in directories:
            for path in sorted(Path(directory).rglob("*.html")):
                engine.get_template(path.relative_to(directory).as_posix())
                count += 1
    return count


def warm_up() -> None:
    get_resolver().url_patterns  # noqa: B018 - imports every view
    templates_compile()
