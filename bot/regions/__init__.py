"""Regions of the election, place search, polling stations (TPS): data, import, lookup, handlers."""
