"""Exception classes of lifecircle.

Every error the tool raises for bad input derives from :class:`LifecircleError` and also
from the matching built-in exception, so callers can catch either. Each carries a one-line
message naming the file, layer, field, row or value, and the fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class LifecircleError(Exception):
    """Root of every error lifecircle raises on purpose (CLI exit code 2)."""


class ProjectError(LifecircleError, ValueError):
    """A project file or standards profile is invalid."""


class InputError(LifecircleError, ValueError):
    """An input layer or raster cannot be used as given."""


class OutputError(LifecircleError, OSError):
    """The result folder cannot be written."""


class SolverError(LifecircleError, RuntimeError):
    """A location model could not be solved."""


@dataclass(frozen=True)
class Problem:
    """One problem found while validating input.

    Parameters
    ----------
    where
        What is wrong and where: a key path (``layers.communities.path``), or a file with
        layer, field and row.
    message
        What is wrong, with the offending value.
    fix
        What the user should do.
    """

    where: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text}; fix: {self.fix}" if self.fix else text


def raise_problems(
    problems: Iterable[Problem], error: type[LifecircleError] = InputError, *, what: str = ""
) -> None:
    """Raise one error listing every problem, or return when there is none.

    The first line holds the first problem (and the count), the following lines the rest,
    so a user with ten bad rows learns about all ten in one run.
    """
    found = list(problems)
    if not found:
        return
    head = str(found[0])
    if len(found) > 1:
        prefix = f"{what}: " if what else ""
        head = f"{prefix}{len(found)} problems; first: {head}"
        head += "".join(f"\n  - {p}" for p in found[1:])
    raise error(head)
