"""Plain classes with `__slots__` for the records every audit imports, in place of dataclasses.

`@dataclass` writes and compiles each class's `__init__`, `__repr__`, `__eq__`...
while the module is imported: about 1 ms a class (more when frozen), some 50 ms
for the classes a small audit imports, a third of its start-up budget (issue 16).
A `Record` writes its own `__init__`, whose parameters are its fields in order
(the same positional order a dataclass had), which ends `store_fields(self,
locals())`, and lists them in `__slots__`;
this base adds what the dataclass generated, over those fields: `repr`, `==`
(same class, equal fields), `replace`, pickling and copying. A `FrozenRecord`
is also hashable, and refuses assignment after `__init__` (which stores with
`object.__setattr__`) with dataclasses' `FrozenInstanceError`.

Classes only some inputs import (zip views, native files, commands) stay dataclasses;
`replace` here handles both.
"""

from __future__ import annotations

from operator import attrgetter


class Record:
    """A mutable record: repr, equality and replace over the fields `__init__` takes (not hashable, like a dataclass)."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()
    __hash__ = None  # type: ignore[assignment]  # equal records must hash alike: mutable ones do not hash

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            code = cls.__init__.__code__
            cls._fields = code.co_varnames[1 : code.co_argcount]
        fields = cls._fields
        cls._values = staticmethod(attrgetter(*fields) if len(fields) > 1 else (lambda record: tuple(getattr(record, name) for name in fields)))

    @staticmethod
    def _values(record: Record) -> tuple:  # replaced per class by a fast getter of the fields in order
        return ()

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}({', '.join(f'{name}={value!r}' for name, value in zip(self._fields, self._values(self), strict=True))})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values(self) == other._values(other)  # type: ignore[attr-defined]
        return NotImplemented

    def __reduce__(self) -> tuple:
        return (self.__class__, self._values(self))


class FrozenRecord(Record):
    """An immutable, hashable record (a frozen dataclass's behaviour)."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._values(self))

    def __setattr__(self, name: str, value: object) -> None:
        raise _frozen(name)

    def __delattr__(self, name: str) -> None:
        raise _frozen(name)


def store_fields(record: Record, values: dict[str, object]) -> None:
    """Set each of the record's fields from `values`, its `__init__`'s `locals()` (frozen or not).

    Every hand-written `__init__` is then its signature, any defaulting of its
    arguments, and `store_fields(self, locals())`: no line per field to write
    again for each of some forty classes, and nothing generated at import.
    """
    for name in record._fields:
        _set(record, name, values[name])


_set = object.__setattr__


def _frozen(name: str) -> Exception:
    from dataclasses import FrozenInstanceError  # only when someone tries: dataclasses is not imported otherwise

    return FrozenInstanceError(f"cannot assign to field {name!r}")


def replace(record, /, **changes):
    """A copy of a record (or a dataclass) with some fields changed, like `dataclasses.replace`."""
    if not isinstance(record, Record):
        import dataclasses

        return dataclasses.replace(record, **changes)
    unknown = set(changes) - set(record._fields)
    if unknown:
        raise TypeError(f"{type(record).__qualname__} has no field {sorted(unknown)[0]!r}")
    values = dict(zip(record._fields, record._values(record), strict=True))
    values.update(changes)
    return record.__class__(**values)
