"""Feeds: parsing RSS and Atom, and polling the feeds a scope follows."""
