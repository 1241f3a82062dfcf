"""A report upward written out by hand, for the tests of its workbook and its PDF (no database needed).

Its totals are the article's 2019 figures: 72 new unions, 13,543 new members, 13,783 covered staff.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from models.figures import Coverage, NoticeFigures, Period, PeriodFigures, Report

MADE_AT = datetime(2020, 1, 10, 9, 30)
FEDERATION = "重庆两江新区总工会"


def figures(name: str, parent: int | None = None, kind: str | None = None, **values) -> PeriodFigures:
    row = dict(
        new_unions=0, covered_staff=0, unions_transferred_in=0, unions_transferred_out=0, unions_dissolved=0,
        unions_at_end=0, covered_staff_at_end=0, new_members=0, members_withdrawn=0, members_transferred_out=0,
        members_at_end=0, coverage_100_plus=Coverage(0, 0), coverage_above_scale=Coverage(0, 0),
        notices=NoticeFigures(0, 0, 0, 0, 0),
    )  # fmt: skip
    row.update(values)
    return PeriodFigures(name=name, first_level_union_id=parent, employer_class=kind, **row)


LIJIA = figures(
    "礼嘉街道工会", 1, new_unions=40, covered_staff=7500, unions_transferred_in=2, new_members=7000,
    members_withdrawn=120, members_transferred_out=80, unions_at_end=300, members_at_end=40000,
    covered_staff_at_end=52000, coverage_100_plus=Coverage(30, 40), coverage_above_scale=Coverage(9, 12),
    notices=NoticeFigures(issued=12, served=10, replied=6, overdue=3, served_replied=6),
)  # fmt: skip
JINSHAN = figures(
    "金山街道工会", 2, new_unions=32, covered_staff=6283, unions_dissolved=1, new_members=6543,
    members_withdrawn=100, members_transferred_out=50, unions_at_end=256, members_at_end=34619,
    covered_staff_at_end=43357, coverage_100_plus=Coverage(25, 26), coverage_above_scale=Coverage(0, 0),
    notices=NoticeFigures(issued=5, served=5, replied=5, overdue=0, served_replied=5),
)  # fmt: skip


def _sum(name: str, rows: list[PeriodFigures], **keys) -> PeriodFigures:
    """The rows added up, as ``models.figures.report`` does (its own test checks that it does)."""
    values = {}
    for field in dataclasses.fields(PeriodFigures):
        if field.name in ("name", "first_level_union_id", "employer_class"):
            continue
        parts = [getattr(row, field.name) for row in rows]
        if isinstance(parts[0], Coverage):
            values[field.name] = Coverage(sum(p.organized for p in parts), sum(p.total for p in parts))
        elif isinstance(parts[0], NoticeFigures):
            values[field.name] = NoticeFigures(
                *(sum(getattr(p, f.name) for p in parts) for f in dataclasses.fields(NoticeFigures))
            )
        else:
            values[field.name] = sum(parts)
    return PeriodFigures(name=name, **keys, **values)


def sample_report(extra_parents: int = 0) -> Report:
    """The 2019 report; ``extra_parents`` more first-level unions with nothing to report make it long."""
    parents = [LIJIA, JINSHAN, *(figures(f"第{n}街道工会", 10 + n) for n in range(extra_parents))]
    totals = _sum(FEDERATION, parents, first_level_union_id=None, employer_class=None)
    classes = [
        dataclasses.replace(LIJIA, name="非公企业", first_level_union_id=None, employer_class="non_public"),
        dataclasses.replace(
            JINSHAN, name="国有企业", first_level_union_id=None, employer_class="state_owned"
        ),
    ]
    return Report(FEDERATION, Period.year(2019), 100, MADE_AT, totals, parents, classes)
