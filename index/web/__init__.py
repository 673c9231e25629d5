"""The web: fetching pages and feeds safely, the address guard, canonical URLs."""
