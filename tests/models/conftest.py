"""Fixtures of the model tests: the one grassroots union many of them register members in."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from models.database import writing
from models.entities import FirstLevelUnion, FirstLevelUnionKind, Union


@pytest.fixture
def parent(engine: Engine) -> int:
    """A street federation (人和街道总工会): the first-level union above ``union_id``."""
    with writing(engine) as s, s.begin():
        first_level = FirstLevelUnion(name="人和街道总工会", kind=FirstLevelUnionKind.STREET)
        s.add(first_level)
        s.flush()
        return first_level.id


@pytest.fixture
def union_id(engine: Engine, parent: int) -> int:
    """The grassroots union 星光电子工会, under ``parent``."""
    with writing(engine) as s, s.begin():
        union = Union(name="星光电子工会", first_level_union_id=parent)
        s.add(union)
        s.flush()
        return union.id
