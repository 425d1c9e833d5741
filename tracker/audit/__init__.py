"""The audit trail (trail.py) and the administrators' page that reads it (routes.py)."""

from .trail import COMMAND_LINE, Actor, actor_of, as_person, record, set_actor

__all__ = ["COMMAND_LINE", "Actor", "actor_of", "as_person", "record", "set_actor"]
