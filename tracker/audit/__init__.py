"""The administrators' audit page: the trail (tracker.audit_trail) read back in sentences."""
