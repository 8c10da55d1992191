"""IwaVersion parsing and ordering at every boundary (Chromium iwa_version.cc)."""

from __future__ import annotations

import pytest

from auditor.chrome.version import MAX_COMPONENT, VersionError, parse_version, version_problem


@pytest.mark.parametrize(("low", "high"), [("1", "2"), ("1.0", "1.1"), ("1.9", "1.10"), ("1.2.3", "1.2.4"), ("1", "1.0.0.1"), ("0.0.0.1", "0.0.1"), ("4294967294", "4294967295")])
def test_order(low, high):
    a, b = parse_version(low), parse_version(high)
    assert a < b and b > a and a <= b and b >= a and a != b
    assert not (b < a) and not (a > b)


@pytest.mark.parametrize(("left", "right"), [("1", "1.0"), ("1.0", "1.0.0.0"), ("0", "0.0")])
def test_trailing_zeros_are_equal(left, right):
    a, b = parse_version(left), parse_version(right)
    assert a == b and hash(a) == hash(b) and not (a < b) and not (b < a) and a <= b
    assert str(a) == left


def test_normalized_keeps_a_single_zero():
    assert parse_version("0.0").normalized == (0,)
    assert parse_version("1.0.2.0").normalized == (1, 0, 2)


def test_not_equal_to_other_types():
    assert parse_version("1") != "1"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is empty"),
        ("1.2.3.4.5", "has 5 components; Chrome accepts 1 to 4"),
        ("1..2", "component 2 is empty"),
        ("1.", "component 2 is empty"),
        ("1a", "component 1 `1a` is not made only of ASCII digits"),
        ("\u0661", "component 1 `\u0661` is not made only of ASCII digits"),
        ("01", "component 1 `01` has a leading zero"),
        ("1.00", "component 2 `00` has a leading zero"),
        (str(MAX_COMPONENT + 1), f"component 1 `{MAX_COMPONENT + 1}` is larger than {MAX_COMPONENT}"),
        (5, "must be a string, not int"),
    ],
)
def test_rejections(text, problem):
    assert version_problem(text) == problem
    with pytest.raises(VersionError):
        parse_version(text)


@pytest.mark.parametrize("text", ["0", "1.2.3.4", str(MAX_COMPONENT), "10.0"])
def test_accepted(text):
    assert version_problem(text) is None
    assert parse_version(text).text == text
