"""Marshmallow schemas of the consulting domain."""
