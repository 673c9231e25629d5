"""Follows: topics followed in a scope, new articles checked against them, and the alerts they make."""
