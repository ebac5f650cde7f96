"""Models of the plans domain."""
