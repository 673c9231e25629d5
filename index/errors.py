"""The one base class of the engine's errors, so a front end can catch every failure the engine explains."""


class EngineError(Exception):
    """A failure the engine describes in one sentence for the user (a bad file, a full disk, an empty question)."""


class LibraryError(EngineError):
    """The library cannot do what was asked; the message says what to do instead."""
