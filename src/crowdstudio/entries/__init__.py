"""Entries, their assets, the intake pipeline, moderation and near-duplicate detection."""
