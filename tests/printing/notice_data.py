"""A small database with one notice of each kind along one employer's chain, shared by the notice tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select, update

from models.database import open_database, reading, writing
from models.demo import DemoPlan, generate_demo
from models.entities import Employer, Federation
from models.listing import employer_has_active_union
from models.notices import draft_notice, escalate_notice, issue_notice, serve_notice
from models.paths import DataDir

LETTER_DAY, LETTER_SERVED = date(2025, 3, 5), date(2025, 3, 6)
INSPECTION_DAY, INSPECTION_SERVED = date(2025, 5, 6), date(2025, 5, 8)
RECOMMENDATION_DAY = date(2025, 7, 1)


@dataclass(frozen=True)
class Chain:
    """One employer's notices: a served letter, a served inspection opinion, a recommendation, a draft."""

    data_dir: DataDir
    engine: Engine
    employer_id: int
    letter: int
    inspection: int
    recommendation: int
    draft: int
    unorganised: list[int]


def employers_without_union(engine: Engine) -> list[int]:
    with reading(engine) as s, s.begin():
        query = select(Employer.id).where(~employer_has_active_union()).order_by(Employer.id)
        return list(s.scalars(query))


def build_chain(root: Path) -> Chain:
    data_dir = DataDir(root)
    engine = open_database(data_dir)
    for _ in generate_demo(engine, DemoPlan(employers=60, members=300, seed=11)):
        pass
    with writing(engine) as s, s.begin():
        s.execute(update(Federation).values(phone="023-67001234", address="重庆市两江新区金开大道1号"))
    employer, other, *rest = employers_without_union(engine)
    letter = issue_notice(engine, draft_notice(engine, employer, "opinion_letter"), LETTER_DAY).id
    serve_notice(engine, letter, LETTER_SERVED, "direct", signed_by="张经理", served_by="李明")
    inspection_draft = escalate_notice(engine, letter, date(2025, 5, 1))
    inspection = issue_notice(engine, inspection_draft, INSPECTION_DAY).id
    serve_notice(engine, inspection, INSPECTION_SERVED, "mail")
    recommendation_draft = escalate_notice(engine, inspection, date(2025, 6, 20))
    recommendation = issue_notice(engine, recommendation_draft, RECOMMENDATION_DAY).id
    draft = draft_notice(engine, other, "opinion_letter")
    return Chain(data_dir, engine, employer, letter, inspection, recommendation, draft, rest)
