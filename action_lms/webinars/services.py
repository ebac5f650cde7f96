"""Business rules of the webinars domain."""
