"""Campaigns, rounds, prizes, eligibility rules and terms versions."""
