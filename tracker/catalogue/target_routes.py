"""An ambition's dated targets: project managers and administrators add and edit the programme
team's own; everyone signed in reads each target with the history of its changes.

The published programme targets (from the reference data) are read-only: their edit page says so.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from ..access import editors_only, signed_in
from ..calendar import today
from ..db import get_session
from ..editing import Submission
from ..models import Ambition, AmbitionTarget
from . import target_queries as queries
from .services import targets as rules
from .target_forms import TargetForm
from .target_history import history

bp = Blueprint("targets", __name__)


def _crumbs(ambition: Ambition) -> list[tuple[str, str]]:
    return [
        ("Home", url_for("main.home")),
        ("Change packages", url_for("catalogue.ambitions")),
        (ambition.title, url_for("catalogue.ambition", code=ambition.code)),
    ]


def _targets_url(ambition: Ambition) -> str:
    return url_for("catalogue.ambition", code=ambition.code, _anchor="targets")


def _form(session, obj=None, *, fresh: bool = False) -> TargetForm:
    """The form (on `obj`'s values); `fresh`: the row as now committed, ignoring what was posted."""
    form = TargetForm(formdata=None, obj=obj) if fresh else TargetForm(obj=obj)
    return form.offer_networks(queries.network_choices(session))


def _saved(target: AmbitionTarget, verb: str) -> None:
    message = f"Target ‘{target.label}’ {verb}"
    if rules.is_past(target, today()):
        message += (
            ". Its date has passed, so it is kept for the record: pages show the figure on that date, "
            "not whether you are on course"
        )
    flash(message, "success")


@bp.route("/ambitions/<code>/targets/new", methods=["GET", "POST"])
@editors_only
def new_target(code: str):
    """Add a dated target to an ambition, for the whole programme or one network."""
    session = get_session()
    ambition = queries.ambition_for_targets(session, code) or abort(404)
    form = _form(session)
    added = Submission(form, lambda: rules.create_target(session, ambition, form.details()))
    if added.saved:
        _saved(added.result, "added")
        return redirect(_targets_url(ambition))
    return render_template(
        "catalogue/edit_target.html", form=form, ambition=ambition, target=None, breadcrumbs=_crumbs(ambition)
    )


@bp.route("/targets/<int:target_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_target(target_id: int):
    """Change a target the programme team set; a stale form is refused with the current version shown."""
    session = get_session()
    target = queries.target_detail(session, target_id) or abort(404)
    ambition = target.ambition
    if target.is_reference:
        return render_template(
            "catalogue/published_target.html", target=target, ambition=ambition, breadcrumbs=_crumbs(ambition)
        )
    form = _form(session, obj=target)

    def reload(current: AmbitionTarget | None) -> TargetForm:
        return _form(session, obj=current, fresh=True) if current is not None else abort(404)

    edit = Submission(
        form, lambda: rules.update_target(session, target, form.details(), form.expected_version()), reload
    )
    if edit.saved:
        _saved(target, "saved")
        return redirect(_targets_url(ambition))
    return render_template(
        "catalogue/edit_target.html", form=edit.form, ambition=ambition, target=target, breadcrumbs=_crumbs(ambition)
    )


@bp.get("/targets/<int:target_id>")
@signed_in
def target(target_id: int):
    """One target: what it counts and aims at, by when, for whom, and every change made to it."""
    session = get_session()
    row = queries.target_detail(session, target_id) or abort(404)
    return render_template(
        "catalogue/target.html",
        target=row,
        ambition=row.ambition,
        history=history(session, row.id),
        breadcrumbs=_crumbs(row.ambition),
    )
