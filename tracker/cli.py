"""The command line: `flask --app tracker …`. Each area that has commands registers them from its own
cli module; this only lists them."""

from __future__ import annotations

from flask import Flask

from . import migrate
from .admin.cli import register as register_user_commands
from .seed.cli import register as register_seed_commands
from .spreadsheets.cli import register as register_spreadsheet_commands
from .synth.cli import register as register_synth_commands


def register_commands(app: Flask) -> None:
    migrate.register(app)  # db …
    register_seed_commands(app)  # seed
    register_synth_commands(app)  # synth
    register_user_commands(app)  # users …
    register_spreadsheet_commands(app)  # adoption import
