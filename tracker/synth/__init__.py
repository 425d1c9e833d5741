"""Synthetic national-scale data for benchmarks: a pure generator and a bulk loader.

`flask --app tracker synth --organisations 250 --interventions 150 --events 1000000 --seed 1` fills an
empty database with a made-up catalogue (three ambitions, their packages, drivers and change ideas),
fifteen networks, the organisations and an adoption ledger with its current records. Everything is
labelled: names and titles start with "Synthetic", every row with an is_demo flag has it set, and
events arrive by the channel "synth". The loader refuses a database that holds anything already, so
synthetic rows never sit beside real ones.

The generator (make_reference, Ledger) is plain Python over plain values: the same spec (seed
included) always gives the same rows. Events are made organisation-and-idea pair by pair, then
numbered in the order they were logged, so ids rise with logged_at as in the real ledger, and a
backdated event (logged long after its effective date) gets a higher id than later-dated ones.

`--model hazard` makes instead an adoption history drawn from the network hazard model with known b and
t on a generated learning graph, with its confirmed learning links, so that fitting can be checked at
national scale (hazard.py; `--check` fits the loaded data and says whether the intervals cover the truth).

The package, step by step: spec (what to make, its limits), reference (catalogue, networks,
organisations), ledger (the events, and the records and spells tracker.core.ledger derives from
them), hazard (the hazard model's history and its check), loader (bulk inserts into an empty
database), cli (`flask synth`).
"""

from .hazard import HazardSpec, hazard_problems, make_history
from .ledger import Ledger
from .loader import LoadReport, NotEmpty, load, load_hazard, occupied_tables
from .reference import Reference, make_reference
from .spec import SynthSpec, spec_problems

__all__ = [
    "HazardSpec",
    "Ledger",
    "LoadReport",
    "NotEmpty",
    "Reference",
    "SynthSpec",
    "hazard_problems",
    "load",
    "load_hazard",
    "make_history",
    "make_reference",
    "occupied_tables",
    "spec_problems",
]
