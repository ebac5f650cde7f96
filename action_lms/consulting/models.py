"""Models of the consulting domain."""
