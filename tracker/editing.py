"""What every editing service shares: one optimistic-locking contract, and bad input reported by field.

The contract, for every edit of a versioned row (forms, the API, the command line):
- the editor sends the row_version they loaded; a missing or garbled one is refused with
  VERSION_MISSING (InvalidInput on "row_version"), and nothing changes;
- a version that is no longer the row's is an EditConflict, shown with CONFLICT_MESSAGE (the
  reload-and-retry message) and the row as it now is; nothing changes;
- the mapper's version_id_col catches a save that lands between the check and the UPDATE, and
  saving() turns it into the same EditConflict.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField

from .forms import Form
from .limits import LARGEST_INT


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
VERSION_MISSING = (
    "This form did not say which version you opened, so nothing was saved. Reload the page and make your change again."
)
_VERSION = re.compile(r"\d{1,10}")


def version_number(raw) -> int | None:
    """A version as sent (text or a JSON number); None when missing or garbled."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 0 <= raw <= LARGEST_INT else None
    if isinstance(raw, str) and _VERSION.fullmatch(raw) and int(raw) <= LARGEST_INT:
        return int(raw)
    return None


def check_version(row, expected_version: int | None) -> None:
    """Refuse the edit unless the row is still at the version the editor saw.

    None (the editor sent none, or nothing readable) is InvalidInput; another version is an
    EditConflict. A row not yet written (None) is at version 0: a record logged for the first time.
    """
    if expected_version is None:
        raise InvalidInput({"row_version": VERSION_MISSING})
    if (row.row_version if row is not None else 0) != expected_version:
        raise EditConflict(row)


@contextmanager
def saving(session: Session, row=None, on_integrity: Callable[[], Exception | None] | None = None) -> Iterator[None]:
    """Commit what the block writes as one unit of work; if anything fails, roll back and write nothing.

    A lost race becomes the refusal the editor would have got a moment earlier: a concurrent save
    that the version column caught (StaleDataError) is an EditConflict carrying `row` as now
    committed (None if deleted); a unique key another writer took first (IntegrityError) is what
    on_integrity() returns, called after the rollback (the IntegrityError itself when it returns None).
    """
    key = (type(row), row.id) if row is not None else None  # read now: after a failure the row is expired
    try:
        yield
        session.commit()
    except StaleDataError:
        session.rollback()
        raise EditConflict(session.get(*key) if key else None) from None
    except IntegrityError:
        session.rollback()
        refusal = on_integrity() if on_integrity is not None else None
        if refusal is None:
            raise
        raise refusal from None
    except BaseException:
        session.rollback()
        raise


def commit_edit(session: Session, row=None, on_integrity: Callable[[], Exception | None] | None = None) -> None:
    """Commit the writes already made, as saving() does."""
    with saving(session, row, on_integrity):
        pass


class VersionedForm(Form):
    """An edit form: carries the row version the editor loaded, for the service to check.

    The form does not refuse a missing version itself (one form may serve "new" and "edit"):
    the service's check_version does, for every caller, and apply_form_errors shows it.
    """

    row_version = HiddenField()

    def expected_version(self) -> int | None:
        """The version the browser sent (with obj=row, .data would fall back to the row's own);
        None when it is missing or garbled."""
        return version_number((self.row_version.raw_data or [None])[0])


def apply_form_errors(form, error: InvalidInput) -> None:
    """Show a service's refusal on the form, field by field (a hidden field's at the top of the form)."""
    for name, message in error.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors") and field.type != "HiddenField":
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        elif message not in form.form_errors:
            form.form_errors.append(message)


class Submission:
    """What became of one posted edit form: saved (with what the service returned), or the form to show again.

    The one flow of every edit view: nothing happens unless the form validates; then save() runs the
    service; a refusal (InvalidInput) is shown on the form, field by field, and kept as `refusal`; a
    conflict (EditConflict) shows reload(the row as it now is) with CONFLICT_MESSAGE; reload gets
    None when the row was deleted meanwhile (it may abort), and `conflict` keeps the EditConflict.
    What success means (flash, redirect) stays in the view.
    """

    def __init__(self, form, save: Callable[[], object], reload: Callable[[object], Form] | None = None):
        self.form, self.saved, self.result = form, False, None
        self.refusal: InvalidInput | None = None
        self.conflict: EditConflict | None = None
        if not form.validate_on_submit():
            return
        try:
            self.result = save()
        except InvalidInput as refusal:
            apply_form_errors(form, refusal)
            self.refusal = refusal
        except EditConflict as conflict:
            if reload is None:
                raise
            self.form, self.conflict = reload(conflict.current), conflict
            self.form.form_errors.append(CONFLICT_MESSAGE)
        else:
            self.saved = True


def press(save: Callable[[], object], done: Callable[[], str], conflict: str) -> tuple[str, str]:
    """The message and its category after a one-click change (a button carrying the row version).

    No readable version means the button did not come from our page: the refusal says so.
    """
    try:
        save()
    except InvalidInput as refusal:
        return refusal.errors["row_version"], "message"
    except EditConflict:
        return conflict, "message"
    return done(), "success"
