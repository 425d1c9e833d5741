"""The seed: reference data (the real South of England facts) and the demo accounts and history.

reference.py loads the reference data, demo.py the demo accounts (with demo_history.py and links.py),
rows.py holds the idempotent row helpers both use, cli.py the `flask seed` command. Loading is
idempotent: run twice, nothing is duplicated. The names below are the package's public face.
"""

from .demo import DEMO_MFA_ROLES, DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS, load_demo
from .reference import load_reference, reference_data
from .rows import SeedError, SeedReport

__all__ = [
    "DEMO_MFA_ROLES",
    "DEMO_PASSWORD",
    "DEMO_TOTP_SECRET",
    "DEMO_USERS",
    "SeedError",
    "SeedReport",
    "load_demo",
    "load_reference",
    "reference_data",
]
