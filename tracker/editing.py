"""What every editing service shares: refusing stale edits and reporting bad input by field."""

from __future__ import annotations


class InvalidInput(ValueError):
    """Input a service refuses; `errors` maps each form field (or "form") to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class EditConflict(Exception):
    """The row changed since the editor loaded it: nothing was written."""

    def __init__(self, current):
        super().__init__("changed by someone else since you opened it")
        self.current = current


CONFLICT_MESSAGE = (
    "This was changed by someone else since you opened it. Nothing was saved: "
    "the form now shows their version. Make your change again and save."
)


def check_version(row, expected_version: int | None) -> None:
    """Raise EditConflict unless the row is still at the version the editor saw.

    The mapper's version_id_col guards the same thing between this check and the UPDATE.
    """
    if expected_version is not None and row.row_version != expected_version:
        raise EditConflict(row)


def apply_form_errors(form, error: InvalidInput) -> None:
    """Show a service's refusal on the form, field by field."""
    for name, message in error.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        else:
            form.form_errors.append(message)
