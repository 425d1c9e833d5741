"""Reminders: records that need an update, follows, and the weekly email digest (issue 14)."""
