"""Outcome, process and balancing measures: the measures themselves, the wards values are recorded
for, the monthly values (forms, import, API), their SPC charts and the summary matrix of charts."""
