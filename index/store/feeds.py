"""How long every backend keeps a feed's items: how often one is tried, how long one is remembered (pure)."""

from __future__ import annotations

from datetime import timedelta

# An item whose article could not be read is tried on this many polls, then left alone.
MAX_ATTEMPTS = 3
# Items no longer in their feed are forgotten after this long (a feed never brings an item back that late).
FORGET_AFTER = timedelta(days=90)
