"""auditor.engine.record: plain slotted classes that behave as the dataclasses they replaced."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from auditor.engine.location import Location, Span
from auditor.engine.record import FrozenRecord, Record, replace, store_fields
from auditor.engine.runner import Report


class Point(FrozenRecord):
    __slots__ = ("label", "x", "y")

    def __init__(self, x: int, y: int, label: str = "") -> None:
        label = label.strip()
        scratch = "a local that is no field"
        store_fields(self, locals())


class Box(Record):
    __slots__ = ("items", "name")

    def __init__(self, name: str, items: list | None = None) -> None:
        self.name = name
        self.items = [] if items is None else items


def test_fields_are_the_init_parameters_in_order():
    assert Point._fields == ("x", "y", "label")
    assert Box._fields == ("name", "items")


def test_repr_and_equality_follow_the_fields():
    assert repr(Point(1, 2)) == "Point(x=1, y=2, label='')"
    assert Point(1, 2) == Point(1, 2, "")
    assert Point(1, 2) != Point(2, 1)
    assert Point(1, 2) != (1, 2, "")  # another type is never equal


def test_a_frozen_record_hashes_by_value_and_refuses_assignment():
    assert hash(Point(1, 2)) == hash(Point(1, 2))
    assert len({Point(1, 2), Point(1, 2), Point(3, 4)}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        Point(1, 2).x = 5  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del Point(1, 2).x


def test_a_mutable_record_is_assignable_and_unhashable_like_a_dataclass():
    box = Box("a")
    box.items.append(1)
    box.name = "b"
    assert box == Box("b", [1])
    with pytest.raises(TypeError):
        hash(box)
    assert Box("a").items is not Box("a").items  # each gets its own list


def test_slots_only():
    with pytest.raises(AttributeError):
        Box("a").other = 1  # type: ignore[attr-defined]


def test_replace_changes_some_fields_and_rejects_unknown_ones():
    point = Point(1, 2, "p")
    assert replace(point, y=5) == Point(1, 5, "p")
    assert point.y == 2
    with pytest.raises(TypeError, match="no field 'z'"):
        replace(point, z=1)


def test_replace_also_takes_a_dataclass():
    @dataclasses.dataclass(frozen=True)
    class Old:
        a: int
        b: int = 0

    assert replace(Old(1), b=2) == Old(1, 2)


def test_pickle_and_copy_round_trip():
    span = Span(1, 2, 3, 4)
    location = Location(resource="/a.js", span=span, pointer="/x")
    assert pickle.loads(pickle.dumps(location)) == location
    assert copy.copy(location) == location and copy.deepcopy(location) == location
    report = Report(source=None, bundle=None, rules=())  # type: ignore[arg-type]
    assert pickle.loads(pickle.dumps(report)) == report


def test_the_engine_records_keep_their_dataclass_behaviour():
    """Spans are dict keys (source mapping), findings are compared and replaced (suppressions, relocation)."""
    assert {Span(1, 1, 1, 2): "a"}[Span(1, 1, 1, 2)] == "a"
    assert Location() == Location(None, None, None, None, None, None)
    assert replace(Location("/a"), note="n") == Location("/a", note="n")


def test_store_fields_sets_each_field_from_the_init_locals_and_nothing_else():
    point = Point(1, 2, " p ")
    assert (point.x, point.y, point.label) == (1, 2, "p") and Point._fields == ("x", "y", "label")
    assert not hasattr(point, "scratch")
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 3

