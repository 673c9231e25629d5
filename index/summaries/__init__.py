"""Summaries and timelines: gather sentences, then choose the central, informative, unrepeated ones."""
