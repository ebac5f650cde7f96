"""Marshmallow schemas of the webinars domain."""
