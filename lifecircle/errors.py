"""Exception classes of lifecircle.

Every error the tool raises for bad input derives from :class:`LifecircleError` and also
from the matching built-in exception, so callers can catch either. Each carries a one-line
message naming the file, layer, field, row or value, and the fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar


class LifecircleError(Exception):
    """Root of every error lifecircle raises on purpose (CLI exit code 2).

    ``str(error)`` is the English message. An error made by :func:`notice` also carries a
    message key of :mod:`lifecircle.i18n` and its values, so the CLI renders it in the run's
    language with :meth:`render`.
    """

    key: str | None = None
    values: Mapping[str, Any] = {}

    def render(self, lang: str = "en") -> str:
        """The message in ``lang`` (``zh`` or ``en``); English when it has no key."""
        if self.key is None:
            return str(self)
        from lifecircle.i18n import t

        return t(self.key, lang, **_pick(self.values, lang))


class ProjectError(LifecircleError, ValueError):
    """A project file or standards profile is invalid."""


class InputError(LifecircleError, ValueError):
    """An input layer or raster cannot be used as given."""


class OutputError(LifecircleError, OSError):
    """The result folder cannot be written."""


class SolverError(LifecircleError, RuntimeError):
    """A location model could not be solved."""


E = TypeVar("E", bound=LifecircleError)


def _pick(values: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Placeholder values in ``lang``: a ``(zh, en)`` pair of strings gives one of them, a
    :class:`Note` (or anything with ``render``) its text in ``lang``."""
    return {k: pick(v, lang) for k, v in values.items()}


def pick(value: Any, lang: str) -> Any:
    """One placeholder value in ``lang`` (see :func:`_pick`); other values unchanged."""
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(x, str) for x in value):
        from lifecircle.i18n import choose

        return choose(value, lang)
    render = getattr(value, "render", None)
    if callable(render) and isinstance(value, (Note, Problem, LifecircleError)):
        return render(lang)
    return value


def notice(error: type[E], key: str, /, **values: Any) -> E:
    """An error of class ``error`` whose message is the catalogue entry ``key``.

    Parameters
    ----------
    error
        The error class (``InputError``, ``OutputError`` ...).
    key
        Message key in :data:`lifecircle.i18n.TEXT` (``err.*``); its text names the file,
        key or value and ends with the fix.
    values
        Values of the message's placeholders.
    """
    from lifecircle.i18n import t

    e = error(t(key, "en", **_pick(values, "en")))
    e.key = key
    e.values = dict(values)
    return e


class Note(str):
    """A data warning (or any non-fatal message) from the catalogue, in either language.

    Library code records what it found as a ``Note``: the catalogue key, its values and the
    place (file, layer, row ...); the text is made by :mod:`lifecircle.i18n` where it is
    shown (``note.render(lang)``, or :func:`lifecircle.i18n.render` for any message). The
    note is also the ``str`` of its English text, so lists of warnings stay lists of
    strings (deduplicated, pickled to workers, searched by tests) and plain English strings
    can still sit beside notes.

    Parameters
    ----------
    key
        Message key in :data:`lifecircle.i18n.TEXT` (``warn.*``, ``load.*``); a
        ``<key>.fix`` entry, when there is one, follows as the fix (``; fix: ...``).
    where
        The place, outermost first (``"communities.shp (layers.communities)"``), each a
        string or a ``(zh, en)`` pair; shown before the message, joined by ``: `` (``：``
        in Chinese).
    values
        Placeholder values: numbers, data values, ``(zh, en)`` pairs, or other notes.
    """

    key: str
    where: tuple[str, ...]
    values: Mapping[str, Any]

    def __new__(cls, key: str, /, *where: str | tuple[str, str], **values: Any) -> Note:
        text = _note_text(key, where, values, "en")
        note = super().__new__(cls, text)
        note.key = key
        note.where = tuple(w if isinstance(w, tuple) else str(w) for w in where if w)
        note.values = dict(values)
        return note

    def __reduce__(self) -> tuple[Any, ...]:
        return (_make_note, (self.key, self.where, dict(self.values)))

    def render(self, lang: str = "en") -> str:
        """The message in ``lang`` (``zh`` or ``en``), its place first."""
        return _note_text(self.key, self.where, self.values, lang)

    def at(self, *where: str | tuple[str, str]) -> Note:
        """The same note placed inside ``where`` (outermost first)."""
        return Note(self.key, *where, *self.where, **self.values)


def _make_note(key: str, where: tuple[str | tuple[str, str], ...], values: dict[str, Any]
               ) -> Note:
    return Note(key, *where, **values)


def _note_text(key: str, where: Iterable[str | tuple[str, str]], values: Mapping[str, Any],
               lang: str) -> str:
    from lifecircle.i18n import TEXT, t

    picked = _pick(values, lang)
    text = t("sep.colon", lang).join([*(str(pick(w, lang)) for w in where if w),
                                      t(key, lang, **picked)])
    if f"{key}.fix" in TEXT:  # a fix of its own, as in a Problem
        text += t("sep.clause", lang) + t("err.fix", lang) \
            + t(f"{key}.fix", lang, **picked)
    return text


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
    key
        Optional message key of :mod:`lifecircle.i18n`: ``<key>`` is the message and
        ``<key>.fix`` the fix, both formatted with ``values`` (``message``/``fix`` hold the
        English text).
    values
        Placeholder values of ``key``.
    where_zh
        ``where`` in Chinese when it holds words (``字段 DJ`` for ``field DJ``).
    """

    where: str
    message: str
    fix: str = ""
    key: str | None = None
    values: Mapping[str, Any] | None = None
    where_zh: str | None = None

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text}; fix: {self.fix}" if self.fix else text

    @classmethod
    def of(cls, where: str | tuple[str, str], key: str, /, **values: Any) -> Problem:
        """A problem whose message and fix are the catalogue entries ``key``, ``key.fix``.

        ``where`` may be a ``(zh, en)`` pair; a key without a ``.fix`` entry has no fix.
        Values may be ``(zh, en)`` pairs of strings (row lists, words).
        """
        from lifecircle.i18n import TEXT, t

        en = _pick(values, "en")
        fix = t(f"{key}.fix", "en", **en) if f"{key}.fix" in TEXT else ""
        w_zh, w_en = where if isinstance(where, tuple) else (None, where)
        return cls(w_en, t(key, "en", **en), fix, key, dict(values), w_zh)

    @classmethod
    def of_error(cls, where: str, error: BaseException) -> Problem:
        """A problem holding ``error``'s message (rendered in the run's language when the
        error carries a catalogue key, see :func:`notice`)."""
        key = getattr(error, "key", None)
        return cls(where, str(error), "", key, dict(getattr(error, "values", {}) or {}))

    def fix_text(self, lang: str = "en") -> str:
        """The fix alone, in ``lang`` (English when the problem has no key)."""
        from lifecircle.i18n import TEXT, t

        if self.key is None or f"{self.key}.fix" not in TEXT:
            return self.fix
        return t(f"{self.key}.fix", lang, **_pick(self.values or {}, lang))

    def render(self, lang: str = "en") -> str:
        """The problem in ``lang``; English when it has no key."""
        if self.key is None:
            return str(self)
        from lifecircle.i18n import TEXT, choose, t

        values = _pick(self.values or {}, lang)
        where = choose((self.where_zh or self.where, self.where), lang)
        text = t(self.key, lang, **values)
        if where:
            text = where + t("sep.colon", lang) + text
        if f"{self.key}.fix" in TEXT:
            text += t("sep.clause", lang) + t("err.fix", lang) \
                + t(f"{self.key}.fix", lang, **values)
        return text


def _problems_text(found: list[Problem], what: str, lang: str) -> str:
    head = found[0].render(lang)
    if len(found) > 1:
        from lifecircle.i18n import t

        prefix = what + t("sep.colon", lang) if what else ""
        head = prefix + t("err.problems", lang, n=len(found)) + head
        head += "".join(f"\n  - {p.render(lang)}" for p in found[1:])
    return head


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
    e = error(_problems_text(found, what, "en"))
    if any(p.key for p in found):
        e.render = lambda lang="en": _problems_text(found, what, lang)  # type: ignore[method-assign]
    raise e
