"""per_content: what is built from content alone (its keyboards), built once per content.

Content is immutable once loaded (a reload makes a new object), and so are PTB's keyboards; a
builder decorated here runs once per content object and arguments, then gives the same object
again. Rebuilding a keyboard for every reply cost a few per cent of the bot's CPU under load.
Only builders whose output depends on nothing but the content and their arguments may be
decorated (content.message without variables is cached per content already); an argument that
cannot be hashed counts by its identity (the RegionTree, swapped with the content on reload).
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from bot.content.registry import Content

P = ParamSpec("P")
T = TypeVar("T")

MAX_CONTENTS = 1024       # contents alive at once: the current one and its regions' views
MAX_PER_CONTENT = 4096    # values per content (suggestion sets can combine many entries)

# id(content) -> (a weak reference to the content, its values by key). An entry goes when its
# content does (a reload's old content is not kept alive), so an id is never reused meanwhile.
_built: dict[int, tuple[weakref.ref[Content], dict[tuple[object, ...], tuple[object, ...]]]] = {}


def _forget(key: int) -> Callable[[object], None]:
    built = _built          # still there when the interpreter's exit clears the module

    def gone(ref: object) -> None:
        held = built.get(key)
        if held is not None and held[0] is ref:
            del built[key]
    return gone


def _key(value: object) -> object:
    """An argument as a key: itself, or for an object that cannot be hashed (the RegionTree, a
    dataclass beside the content) its identity."""
    try:
        hash(value)
    except TypeError:
        return (_key, id(value))
    return value


def per_content(build: Callable[Concatenate[Content, P], T]) -> Callable[Concatenate[Content, P], T]:
    @functools.wraps(build)
    def cached(content: Content, /, *args: P.args, **kwargs: P.kwargs) -> T:
        held = _built.get(id(content))
        if held is None or held[0]() is not content:
            if len(_built) >= MAX_CONTENTS:
                _built.clear()
            held = _built[id(content)] = (weakref.ref(content, _forget(id(content))), {})
        values = held[1]
        key = (build, *map(_key, args), *((k, _key(v)) for k, v in sorted(kwargs.items())))
        found = values.get(key)
        if found is None:
            if len(values) >= MAX_PER_CONTENT:
                values.clear()
            # The arguments are kept with the value: an id in the key is not reused meanwhile.
            found = values[key] = (args, kwargs, build(content, *args, **kwargs))
        return found[2]  # type: ignore[return-value]

    return cached
