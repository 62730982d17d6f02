"""Comments, reviews, audience votes, fraud signals, ranking and notifications."""
