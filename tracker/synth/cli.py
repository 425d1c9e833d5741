"""`flask --app tracker synth …`: fill an empty database with synthetic data, for benchmarks and for checking fits."""

from __future__ import annotations

import time

import click
from flask import Flask
from sqlalchemy.orm import Session

from ..db import get_engine, write_session
from .hazard import (
    DEFAULT_INTERVENTIONS,
    DEFAULT_LINKS,
    HazardSpec,
    check,
    check_words,
    hazard_problems,
    make_history,
    truth_words,
)
from .loader import NotEmpty, load, load_hazard
from .spec import SynthSpec, spec_problems

LEDGER_ONLY = ("events",)
HAZARD_ONLY = ("background", "transmission", "months", "links", "check")
NEEDED = {"ledger": ("interventions", "events"), "hazard": ("background", "transmission", "months")}


def option_problems(model: str, given: dict) -> list[str]:
    """Options missing for the model, or given for the other one (their values are checked by the specs)."""
    problems = [
        f"Missing option '--{name}' (needed with --model {model})" for name in NEEDED[model] if given[name] is None
    ]
    other = HAZARD_ONLY if model == "ledger" else LEDGER_ONLY
    for name in other:
        if given[name] not in (None, False):
            problems.append(f"--{name} is only for --model {'hazard' if model == 'ledger' else 'ledger'}")
    return problems


def register(app: Flask) -> None:
    """Add the `synth` command."""

    @app.cli.command("synth")
    @click.option(
        "--model",
        type=click.Choice(["ledger", "hazard"]),
        default="ledger",
        show_default=True,
        help="ledger: a made-up adoption ledger, for benchmarks; hazard: spread drawn from the network hazard "
        "model with known b and t, to check fitting.",
    )
    @click.option("--organisations", type=int, required=True, help="How many organisations.")
    @click.option(
        "--interventions",
        type=int,
        help="How many change ideas, spread over the three ambitions (with --model hazard: "
        f"{DEFAULT_INTERVENTIONS} unless given).",
    )
    @click.option("--events", type=int, help="How many adoption events (--model ledger).")
    @click.option("--background", type=float, help="b: the monthly chance of adopting unaided (--model hazard).")
    @click.option(
        "--transmission", type=float, help="t: the monthly chance of learning along a strength-5 link (--model hazard)."
    )
    @click.option("--months", type=int, help="Months of history from April 2021 (--model hazard).")
    @click.option(
        "--links",
        type=float,
        help=f"The mean number of learning links per organisation (--model hazard; {DEFAULT_LINKS:g} unless given).",
    )
    @click.option(
        "--check",
        is_flag=True,
        default=False,
        help="Fit the model on the loaded data and say whether the 95% intervals cover the truth (--model hazard).",
    )
    @click.option("--seed", type=int, default=1, show_default=True, help="The same seed makes the same data.")
    def synth_command(model: str, organisations: int, seed: int, **given) -> None:
        """Fill an empty database with synthetic national-scale data, for benchmarks and fitting checks only."""
        if problems := option_problems(model, given):
            raise click.UsageError("; ".join(problems))
        if model == "hazard":
            _hazard(organisations, seed, given)
            return
        spec = SynthSpec(organisations, given["interventions"], given["events"], seed)
        if problems := spec_problems(spec):
            raise click.UsageError("; ".join(problems))

        def progress(done: int, total: int) -> None:
            if done % 100_000 == 0:
                click.echo(f"  {done:,} of {total:,} events written", err=True)

        started = time.perf_counter()
        with write_session() as session:
            try:
                report = load(session, spec, progress=progress)
            except NotEmpty as e:
                raise click.ClickException(str(e)) from None
        click.echo(f"Synthetic data (seed {seed}): {report.summary()}; {time.perf_counter() - started:.1f} s.")


def _hazard(organisations: int, seed: int, given: dict) -> None:
    """`synth --model hazard`: simulate, load, print the truth and (with --check) the fit against it."""
    spec = HazardSpec(
        organisations,
        given["background"],
        given["transmission"],
        given["months"],
        DEFAULT_LINKS if given["links"] is None else given["links"],
        DEFAULT_INTERVENTIONS if given["interventions"] is None else given["interventions"],
        seed,
    )
    if problems := hazard_problems(spec):
        raise click.UsageError("; ".join(problems))
    started = time.perf_counter()
    history = make_history(spec)
    with write_session() as session:
        try:
            report = load_hazard(session, history)
        except NotEmpty as e:
            raise click.ClickException(str(e)) from None
    click.echo(f"Synthetic data (seed {seed}): {report.summary()}; {time.perf_counter() - started:.1f} s.")
    click.echo(truth_words(history))
    if not given["check"]:
        return
    started = time.perf_counter()
    with Session(bind=get_engine()) as session:  # a read: no write lock
        result = check(session, history)
    for line in check_words(history, result):
        click.echo(line)
    click.echo(f"Read and fitted in {time.perf_counter() - started:.1f} s.")
