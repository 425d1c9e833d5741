"""`flask --app tracker synth …`: fill an empty database with synthetic data, for benchmarks."""

from __future__ import annotations

import time

import click
from flask import Flask

from ..db import write_session
from .loader import NotEmpty, load
from .spec import SynthSpec, spec_problems


def register(app: Flask) -> None:
    """Add the `synth` command."""

    @app.cli.command("synth")
    @click.option("--organisations", type=int, required=True, help="How many organisations.")
    @click.option(
        "--interventions", type=int, required=True, help="How many change ideas, spread over the three ambitions."
    )
    @click.option("--events", type=int, required=True, help="How many adoption events.")
    @click.option("--seed", type=int, default=1, show_default=True, help="The same seed makes the same data.")
    def synth_command(organisations: int, interventions: int, events: int, seed: int) -> None:
        """Fill an empty database with synthetic national-scale data, for benchmarks only."""
        spec = SynthSpec(organisations, interventions, events, seed)
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
