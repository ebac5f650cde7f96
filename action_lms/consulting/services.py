"""Business rules of the consulting domain."""
