"""Forecasting spread over the network and choosing whom to engage next (issue 12): the monthly panel
read from the database here; the model, the forecast and the search are pure, in tracker/core."""
