"""未建会: the employers due a union by their size that have none — the list the office works through.

Due means ``staff_threshold`` staff (100 unless the office changed its setting), or
``non_public_staff_threshold`` (50) for a non-public enterprise (非公企业). The window shows the same rows
lazily as the ``"unorganized"`` listing of ``models.listing``; this facade returns them whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select

from models.errors import InvalidInput
from models.listing import LISTINGS, due_without_union


@dataclass(frozen=True)
class UnorganizedEmployer:
    """One employer of the 未建会 list; the fields are the listing's columns, in its order."""

    id: int
    name: str
    credit_code: str | None
    employer_class: str
    staff_count: int
    staff_count_source: str | None  # where the headcount came from: 社保, 税务…
    staff_count_date: date | None  # the date the headcount was taken
    first_level_union: str | None  # the first-level union responsible for organising it
    without_union_since: date | None  # its last union's closing, else its founding; None if unknown


def unorganized_employers(
    engine: Engine, staff_threshold: int | None = None, non_public_staff_threshold: int | None = None
) -> list[UnorganizedEmployer]:
    """The employers due a union that have no active one, the largest first.

    Args:
        staff_threshold: Staff from which any employer is due a union; the federation's setting if None.
        non_public_staff_threshold: The same for a non-public enterprise; the setting if None.

    Raises:
        InvalidInput: a threshold is not a positive number.
    """
    for threshold in (staff_threshold, non_public_staff_threshold):
        if threshold is not None and threshold <= 0:
            raise InvalidInput("建会人数标准应为正整数", "staff_threshold")
    listing = LISTINGS["unorganized"]
    query = (
        listing.joined(select(listing.id_column, *listing.columns.values()))
        .where(due_without_union(staff_threshold, non_public_staff_threshold))
        .order_by(listing.columns["staff_count"].desc(), listing.columns["name"], listing.id_column)
    )
    with engine.connect() as connection:
        return [
            UnorganizedEmployer(row[0], **dict(zip(listing.column_keys, row[1:], strict=True)))
            for row in connection.execute(query)
        ]
