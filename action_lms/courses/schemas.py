"""Marshmallow schemas of the courses domain."""
