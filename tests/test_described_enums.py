"""``described_enum``: a GraphQL enum whose every value has a description, or an error at import."""

from __future__ import annotations

import enum

import pytest

from icn_graph.schema.described_enums import described_enum


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Other(enum.Enum):
    GREEN = "green"


def test_each_value_gets_its_description() -> None:
    described_enum(
        Colour,
        name="Colour",
        description="A colour.",
        values={Colour.RED: "Red.", Colour.BLUE: "Blue."},
    )
    definition = Colour.__strawberry_definition__  # type: ignore[attr-defined]
    assert (definition.name, definition.description) == ("Colour", "A colour.")
    assert {value.name: value.description for value in definition.values} == {
        "RED": "Red.",
        "BLUE": "Blue.",
    }


def test_a_value_left_out_or_of_another_enum_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"missing \['BLUE'\], not its own \[.*GREEN.*\]"):
        described_enum(
            Colour,
            name="Colour2",
            description="A colour.",
            values={Colour.RED: "Red.", Other.GREEN: "Green."},
        )
