"""Models of the webinars domain."""
