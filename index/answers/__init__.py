"""Answers: rank the retrieved sentences, then quote or abstain."""
