class ServiceError(Exception):
    """A rule refused a change. The message is translated and safe to show to the user;
    ``field`` names the form field it belongs to, if any."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def add_to_form(form, error: ServiceError) -> None:
    """Show a refused change on the form, next to its field when it names one."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
