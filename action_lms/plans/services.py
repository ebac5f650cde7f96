"""Business rules of the plans domain."""
