"""Users, roles, cities, sign-in, API tokens, personal data export and erasure."""
