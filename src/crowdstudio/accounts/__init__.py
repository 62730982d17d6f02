"""Users, organisations, memberships and roles."""
