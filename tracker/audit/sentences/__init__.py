"""Audit rows as sentences people read: who did what to which thing, and what changed, in words.

Pure: an audit row (what tracker.audit_trail stored) and the names its ids stand for (looked up for a whole
page at once, by queries.names_for) in; plain text out. No Flask, no session. The rows themselves
stay as they were written, so old entries read the same way as new ones.

By part: rows (the row and names in, the entry out), people (who), values (values in words, what
changed), records (what was done to each kind of record), requests (what a refused request asked
for), menus (the filter menus), entry (the sentence and the entry, which put them together).
"""

from .entry import entry, sentence
from .menus import action_label, entity_label
from .rows import AuditRow, Change, Entry, Names
from .values import changes, words

__all__ = [
    "AuditRow",
    "Change",
    "Entry",
    "Names",
    "action_label",
    "changes",
    "entity_label",
    "entry",
    "sentence",
    "words",
]
