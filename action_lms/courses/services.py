"""Business rules of the courses domain."""
