"""Juries, rubrics, scorecards, per-judge normalisation of scores, and jury results."""
