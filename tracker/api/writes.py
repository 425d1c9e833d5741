"""What the API's JSON writes share: reading the body and checking its fields (the CSRF rule, scopes and
Idempotency-Key: tracker.api.guard)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import request

from ..editing import InvalidInput
from ..errors import error_json
from ..limits import LARGEST_INT
from .params import day_named

LARGEST_ID = LARGEST_INT  # ids beyond this cannot be bound on every database


def json_body() -> Any:
    """The body parsed as JSON whatever its Content-Type, or None when it is not JSON."""
    try:
        return request.get_json(force=True, silent=True)
    except RecursionError:  # nested deeper than the parser goes: not a body we could want
        return None


def invalid_body(fields: dict[str, str]):
    """The 422 answer to a body with errors: {"error": {…, "fields": {field: message}}}."""
    return error_json(422, None, fields=fields)


def text_field(body: dict, name: str, errors: dict[str, str]) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        errors[name] = f"{name} must be a string"
        return None
    if "\x00" in value:
        errors[name] = f"{name} must not contain the NUL character"
        return None
    return value


@dataclass(frozen=True)
class BodyShape:
    """The fields a write's JSON object may hold (in the order messages list them): the required
    ones, which are text, the optional text ones, and the others, which the caller reads."""

    fields: tuple[str, ...]
    required: tuple[str, ...]
    optional_text: tuple[str, ...]

    def read(self, body: Any) -> tuple[dict[str, str | None], dict[str, str]]:
        """The body's text fields (None when absent or wrong) and the errors found, by field.

        Raises InvalidInput at once when the body is no JSON object. Unknown fields, text fields
        of the wrong type and required fields missing or blank are errors; the caller reads its
        other fields, adds their errors and raises InvalidInput if there are any.
        """
        if not isinstance(body, dict):
            raise InvalidInput({"body": "Send a JSON object with the fields " + ", ".join(self.fields)})
        errors: dict[str, str] = {}
        for name in sorted(set(body) - set(self.fields)):
            errors[name[:100]] = "Unknown field: the fields are " + ", ".join(self.fields)
        text = {name: text_field(body, name, errors) for name in self.required + self.optional_text}
        for name in self.required:
            if name not in errors and not (text[name] or "").strip():
                errors[name] = f"{name} is required"
        return text, errors


def day_field(name: str, value: str | None, errors: dict[str, str]) -> date | None:
    """The day a text field holds (None when blank or already in error); a garbled one is an error."""
    if not (value or "").strip() or name in errors:
        return None
    try:
        return day_named(name, value)
    except ValueError as error:
        errors[name] = str(error)
        return None
