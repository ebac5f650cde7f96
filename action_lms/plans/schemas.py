"""Marshmallow schemas of the plans domain."""
