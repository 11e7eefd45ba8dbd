"""Errors an editor can act on.

A TeipressError is a "nice" error: the CLI prints it as one line,
``path:line: category: message``, and exits 1. Anything else that escapes is a
bug in teipress. This module never imports click.
"""

from __future__ import annotations


class TeipressError(Exception):
    """A problem with the user's input or environment, not a bug."""

    category = "error"

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        text = f"{where}{self.category}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class InputError(TeipressError):
    """A source file that cannot be read or understood."""

    category = "input error"


class ConfigError(TeipressError):
    """A teipress.toml that cannot be used."""

    category = "config error"


class OutputError(TeipressError):
    """An output location that cannot be written."""

    category = "output error"


class RenderError(TeipressError):
    """An edition that cannot be produced from a valid TEI file."""

    category = "render error"
