"""Parcours rules core: the brochure's regulation as plain Python.

No Django import anywhere in this package (a test proves it). Frozen dataclasses in,
frozen dataclasses out; every number comes from the academic year's data file.
"""
