"""Realistic generated data for trying the program, benchmarks and screenshots.

Everything is written in one transaction: a demo load that is cancelled or killed half-way leaves the
database as it was. Codes are valid and unique (made with the same check functions the program uses to
refuse bad ones), and the shape follows the article: about a third of employers have no union, mostly
small ones but some with 100+ staff.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine, insert, select, update

from models import codes
from models.audit import bulk_inserted
from models.database import in_values
from models.entities import (
    Employer,
    EmployerClass,
    EmploymentForm,
    Federation,
    FirstLevelUnion,
    FirstLevelUnionKind,
    FlexibleOccupation,
    HouseholdType,
    JoinChannel,
    Member,
    MembershipChange,
    MembershipChangeKind,
    MemberStatus,
    OrganizingTarget,
    OrganizingTask,
    StaffCountSource,
    TaskProgress,
    TaskRule,
    TaskStatus,
    Union,
    UnionKind,
    union_employer,
)
from models.errors import InvalidInput, KnownError
from models.registers import database_is_empty
from models.tasks import rules_met

Progress = tuple[int, int, str]
MEMBERSHIP_RATE = 0.78
REJOIN_EVERY = 200  # of the members who left, about one in 200 has come back


class DatabaseNotEmpty(KnownError):
    """Demo data goes only into an empty database, never mixed with real records."""


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# Common surnames are far more common: weight by rank, roughly as in the census.
SURNAME_WEIGHTS = [1 / (rank + 3) for rank in range(len(SURNAMES))]
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍鹏建华红飞辉宇浩凯健俊帆鑫婷雪琳晨欣怡"
    "梓涵子轩雨萱一诺浩然思远佳怡宏志文博天佑嘉豪家豪俊杰志强永红春梅海燕德明国庆建国小龙晓东晓燕倩颖"
)
AREA_CODES = (
    ("500112", 30), ("500105", 14), ("500109", 8), ("500103", 6), ("500106", 6), ("500113", 5),
    ("500101", 5), ("500235", 4), ("500236", 4), ("500228", 3), ("510104", 2), ("510722", 2),
    ("520102", 2), ("430102", 1), ("420106", 1), ("411302", 1), ("440305", 1), ("330106", 1),
)  # fmt: skip
DISTRICT_AREAS = ("500112", "500105", "500109")
ETHNICITIES = (("汉族", 94), ("土家族", 3), ("苗族", 2), ("回族", 1))
POLITICAL = (("群众", 70), ("中共党员", 12), ("共青团员", 17), ("民主党派", 1))
EDUCATION = (("初中及以下", 22), ("高中/中专", 30), ("大专", 24), ("本科", 21), ("硕士研究生", 3))
FIRST_LEVEL_UNIONS = (
    ("人和街道总工会", FirstLevelUnionKind.STREET), ("鸳鸯街道总工会", FirstLevelUnionKind.STREET),
    ("天宫殿街道总工会", FirstLevelUnionKind.STREET), ("翠云街道总工会", FirstLevelUnionKind.STREET),
    ("大竹林街道总工会", FirstLevelUnionKind.STREET), ("礼嘉街道总工会", FirstLevelUnionKind.STREET),
    ("金山街道总工会", FirstLevelUnionKind.STREET), ("康美街道总工会", FirstLevelUnionKind.STREET),
    ("两江数字经济产业园工会", FirstLevelUnionKind.PARK), ("鱼复工业开发区工会", FirstLevelUnionKind.PARK),
    ("龙兴工业园工会", FirstLevelUnionKind.PARK), ("水土高新技术产业园工会", FirstLevelUnionKind.PARK),
    ("建筑行业工会联合会", FirstLevelUnionKind.INDUSTRY), ("物流行业工会联合会", FirstLevelUnionKind.INDUSTRY),
)  # fmt: skip
BRANDS = (
    "长安", "金山", "渝北", "礼嘉", "鸿泰", "华宇", "兴达", "博远", "恒通", "力帆", "国瑞", "嘉悦", "凯诚", "天圣",
    "聚源", "宏图", "新越", "云鼎", "瑞丰", "川渝", "江城", "明德", "德盛", "悦来", "龙兴", "鱼复", "水土", "翠云",
    "海通", "中盛", "蓝海", "金鹰", "永辉", "星辰", "远航", "泰和", "鼎新", "卓越", "同创", "鑫源", "正和", "汇丰",
)  # fmt: skip
INDUSTRIES = (
    ("汽车零部件制造", "汽车零部件"), ("电子科技", "电子信息"), ("智能装备", "装备制造"), ("物流", "交通运输"),
    ("快递服务", "交通运输"), ("建筑工程", "建筑业"), ("软件技术", "信息技术"), ("商贸", "批发零售"),
    ("餐饮管理", "住宿餐饮"), ("物业管理", "居民服务"), ("生物医药", "医药制造"), ("新材料", "材料制造"),
    ("网络科技", "信息技术"), ("劳务派遣", "商务服务"), ("货运", "交通运输"), ("酒店管理", "住宿餐饮"),
)  # fmt: skip
PUBLIC_BODIES = ("政务服务中心", "社区卫生服务中心", "规划展览馆", "城市管理服务中心", "公共资源交易中心",
                 "小学", "中学", "幼儿园", "图书馆", "市政设施管理所", "农业服务中心", "退役军人服务站")  # fmt: skip
SOCIAL_ORGS = (
    "商会",
    "行业协会",
    "社会工作服务中心",
    "志愿者协会",
    "企业家联合会",
    "物流协会",
    "养老服务中心",
)
ROADS = (
    "金开大道",
    "星光大道",
    "黄山大道",
    "青枫北路",
    "礼慈路",
    "龙兴大道",
    "悦来大道",
    "汇流路",
    "金渝大道",
)


@dataclass
class DemoPlan:
    employers: int = 2000
    members: int = 100_000
    seed: int = 2020
    today: date = field(default_factory=date.today)


@dataclass
class _Ids:
    """Codes already handed out in this load, so that none is given twice."""

    id_numbers: set[str] = field(default_factory=set)
    credit_codes: set[str] = field(default_factory=set)
    mobiles: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([value for value, _ in table], [weight for _, weight in table])[0]


def _person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
    return rng.choices(SURNAMES, SURNAME_WEIGHTS)[0] + given


def _random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 0) + 1))


def _credit_code(rng: random.Random, ids: _Ids, prefix: str) -> str:
    while True:
        body = prefix + rng.choice(DISTRICT_AREAS) + "".join(rng.choices(codes.CREDIT_CHARSET, k=9))
        code = body + codes.credit_check_char(body)
        if code not in ids.credit_codes:
            ids.credit_codes.add(code)
            return code


def _id_number(rng: random.Random, ids: _Ids, born: date) -> str:
    area = _weighted(rng, AREA_CODES)
    while True:
        body = f"{area}{born:%Y%m%d}{rng.randrange(1000):03d}"
        number = body + codes.id_check_char(body)
        if number not in ids.id_numbers:
            ids.id_numbers.add(number)
            return number


def _mobile(rng: random.Random, ids: _Ids) -> str:
    while True:
        number = rng.choice(("13", "15", "17", "18", "19")) + f"{rng.randrange(10**9):09d}"
        if number not in ids.mobiles:
            ids.mobiles.add(number)
            return number


def _unique_name(ids: _Ids, name: str) -> str:
    candidate, n = name, 1
    while candidate in ids.names:
        n += 1
        candidate = name.replace("有限公司", f"第{n}分公司") if "有限公司" in name else f"{name}（{n}）"
    ids.names.add(candidate)
    return candidate


def _staff_count(rng: random.Random) -> int:
    # Most employers are small; a tail reaches the hundreds and a few the thousands.
    return max(3, min(int(rng.lognormvariate(3.4, 1.15)), 6000))


def _employer_name(rng: random.Random, employer_class: str) -> tuple[str, str]:
    if employer_class == EmployerClass.PUBLIC_INSTITUTION:
        return "重庆两江新区" + rng.choice(BRANDS) + rng.choice(PUBLIC_BODIES), "公共管理"
    if employer_class == EmployerClass.SOCIAL_ORGANIZATION:
        return "重庆市两江新区" + rng.choice(BRANDS) + rng.choice(SOCIAL_ORGS), "社会组织"
    trade, industry = rng.choice(INDUSTRIES)
    brand = rng.choice(BRANDS) + rng.choice(("", "", "新", "华", "创", "合", "联", "达", "科"))
    suffix = "股份有限公司" if rng.random() < 0.1 else "有限公司"
    prefix = "重庆两江" if employer_class == EmployerClass.STATE_OWNED else "重庆"
    return f"{prefix}{brand}{trade}{suffix}", industry


DEMO_SOURCE = {"来源": "演示数据"}


def _stamp() -> dict:
    now = datetime.now().replace(microsecond=0)
    return {"uuid": str(uuid.uuid4()), "created_at": now, "updated_at": now}


def generate_demo(engine: Engine, plan: DemoPlan) -> Iterator[Progress]:
    """Fill an empty database with generated records, yielding ``(done, total, message)``.

    Raises:
        InvalidInput: the numbers asked for are impossible.
        DatabaseNotEmpty: the database already holds records; nothing was written.
    """
    if plan.employers < 1 or plan.members < 0:
        raise InvalidInput("单位数至少为1，会员数不能为负数")
    if not database_is_empty(engine):
        raise DatabaseNotEmpty(
            "数据库中已有数据：演示数据只能装入空数据库。请用 --data-dir 指定一个新的数据文件夹。"
        )
    rng = random.Random(plan.seed)
    ids = _Ids()
    total = plan.employers + plan.members
    batch = 5000
    with engine.execution_options(write=True).begin() as connection:
        connection.execute(
            update(Federation)
            .where(Federation.id == 1)
            .values(name="重庆两江新区总工会", short_name="两江", seal_text="重庆两江新区总工会")
        )
        first_levels = _insert_first_level_unions(connection, rng, ids)
        yield 0, total, "正在生成单位"
        employers = _employer_rows(rng, ids, plan, first_levels)
        groups = _union_groups(rng, employers)
        _grow_staff_to_fit_members(groups, plan.members)
        _insert_employers(connection, employers)
        yield plan.employers, total, "正在生成基层工会"
        unions = _insert_unions(connection, rng, ids, plan, groups)
        _insert_tasks(connection, rng, plan, employers, unions)
        done = plan.employers
        changes: list[tuple[str, str, date]] = []
        # 100,000 members under one audit entry each table: an entry a member would double the time.
        with bulk_inserted(connection, "member", DEMO_SOURCE):
            for rows in _member_batches(rng, ids, plan, unions, batch, changes):
                connection.execute(insert(Member), rows)
                done += len(rows)
                yield done, total, f"正在生成会员 {done - plan.employers:,}/{plan.members:,}"
        with bulk_inserted(connection, "membership_change", DEMO_SOURCE):
            _insert_membership_changes(connection, changes)
    yield total, total, "演示数据已生成"


def _insert_first_level_unions(connection, rng: random.Random, ids: _Ids) -> list[int]:
    rows = [
        {
            **_stamp(),
            "name": name,
            "kind": kind,
            "credit_code": _credit_code(rng, ids, "81"),
            "contact_person": _person_name(rng),
            "phone": "023-6" + f"{rng.randrange(10**7):07d}",
            "sort_order": order,
        }
        for order, (name, kind) in enumerate(FIRST_LEVEL_UNIONS)
    ]
    return list(connection.scalars(insert(FirstLevelUnion).returning(FirstLevelUnion.id), rows))


def _employer_rows(rng, ids, plan: DemoPlan, first_levels: list[int]) -> list[dict]:
    classes = (
        (EmployerClass.NON_PUBLIC, 76), (EmployerClass.STATE_OWNED, 8),
        (EmployerClass.PUBLIC_INSTITUTION, 10), (EmployerClass.SOCIAL_ORGANIZATION, 6),
    )  # fmt: skip
    prefixes = {
        EmployerClass.NON_PUBLIC: "91", EmployerClass.STATE_OWNED: "91",
        EmployerClass.PUBLIC_INSTITUTION: "12", EmployerClass.SOCIAL_ORGANIZATION: "52",
    }  # fmt: skip
    rows = []
    for _ in range(plan.employers):
        employer_class = _weighted(rng, classes)
        name, industry = _employer_name(rng, employer_class)
        staff = _staff_count(rng)
        is_enterprise = employer_class in (EmployerClass.NON_PUBLIC, EmployerClass.STATE_OWNED)
        rows.append(
            {
                **_stamp(),
                "name": _unique_name(ids, name),
                "credit_code": _credit_code(rng, ids, prefixes[employer_class]),
                "employer_class": employer_class,
                "industry": industry,
                "address": f"重庆市两江新区{rng.choice(ROADS)}{rng.randrange(1, 999)}号",
                "legal_representative": _person_name(rng),
                "contact_person": _person_name(rng),
                "contact_phone": _mobile(rng, ids),
                "founded_on": _random_date(rng, date(1995, 1, 1), plan.today - timedelta(days=200)),
                "staff_count": staff,
                "staff_count_source": rng.choice(list(StaffCountSource)),
                "staff_count_date": _random_date(rng, plan.today - timedelta(days=400), plan.today),
                "above_scale": is_enterprise and staff >= 80 and rng.random() < 0.6,
                "deputy_linked": rng.random() < 0.03,
                "new_employment_forms": industry == "交通运输" and rng.random() < 0.5,
                "first_level_union_id": rng.choice(first_levels),
            }
        )
    return rows


def _union_groups(rng: random.Random, employers: list[dict]) -> list[list[dict]]:
    """Which employers get a union, and which of the small ones share a joint union."""
    to_organise = [e for e in employers if _has_union(rng, e)]
    small = [
        e for e in to_organise if e["staff_count"] < 25 and e["employer_class"] == EmployerClass.NON_PUBLIC
    ]
    joint_groups: list[list[dict]] = []
    rng.shuffle(small)
    # Half the small enterprises share joint unions of 3–8 employers, as the article's offices do.
    pool = small[: len(small) // 2]
    while len(pool) >= 3:
        size = min(rng.randint(3, 8), len(pool))
        joint_groups.append([pool.pop() for _ in range(size)])
    in_joint = {id(e) for group in joint_groups for e in group}
    return [[e] for e in to_organise if id(e) not in in_joint] + joint_groups


def _grow_staff_to_fit_members(groups: list[list[dict]], members: int) -> None:
    """Members are about 78% of covered staff (the article: 74,619 of 95,357); enlarge covered employers
    when the members asked for would not fit."""
    covered = sum(e["staff_count"] for group in groups for e in group)
    factor = members / MEMBERSHIP_RATE / covered if covered else 1
    if factor > 1:
        for group in groups:
            for e in group:
                e["staff_count"] = math.ceil(e["staff_count"] * factor)


def _insert_employers(connection, employers: list[dict]) -> None:
    new_ids = connection.scalars(insert(Employer).returning(Employer.id), employers)
    for row, new_id in zip(employers, new_ids, strict=True):
        row["id"] = new_id


def _has_union(rng: random.Random, employer: dict) -> bool:
    """About a third stay without a union, mostly small ones but also some with 100+ staff."""
    if employer["employer_class"] != EmployerClass.NON_PUBLIC:
        return rng.random() < 0.93
    if employer["staff_count"] >= 100:
        return rng.random() < 0.8
    return rng.random() < 0.52


def _insert_unions(connection, rng, ids, plan: DemoPlan, groups: list[list[dict]]) -> list[dict]:
    rows, covers = [], []
    for group in groups:
        lead = group[0]
        joint = len(group) > 1
        founded = _random_date(
            rng,
            max(date(2008, 1, 1), max(e["founded_on"] for e in group)),
            min(plan.today, date(2025, 12, 31)),
        )
        term = rng.choice((3, 5, 5))
        status_roll = rng.random()
        rows.append(
            {
                **_stamp(),
                "name": (
                    f"{lead['name']}等{len(group)}家单位联合工会委员会"
                    if joint
                    else f"{lead['name']}工会委员会"
                ),
                "credit_code": _credit_code(rng, ids, "81"),
                "kind": UnionKind.JOINT if joint else UnionKind.SINGLE,
                "first_level_union_id": lead["first_level_union_id"],
                "founded_on": founded,
                "chair_name": _person_name(rng),
                "chair_phone": _mobile(rng, ids),
                "term_years": term,
                "term_started_on": _random_date(
                    rng, max(founded, plan.today - timedelta(days=365 * term)), plan.today
                ),
                "covered_staff": sum(e["staff_count"] for e in group),
                "status": "active" if status_roll < 0.985 else "transferred_out",
                "transferred_in_on": founded + timedelta(days=rng.randrange(30, 900))
                if rng.random() < 0.03
                else None,
                "closed_on": None,
                "closed_reason": None,
            }
        )
        covers.append(group)
    for row in rows:
        if row["status"] == "transferred_out":
            row["closed_on"] = _random_date(rng, row["founded_on"], plan.today)
            row["closed_reason"] = "组织关系转出至上级产业工会"
        if row["transferred_in_on"] and row["transferred_in_on"] > plan.today:
            row["transferred_in_on"] = None
    new_ids = list(connection.scalars(insert(Union).returning(Union.id), rows))
    links = []
    for row, new_id, group in zip(rows, new_ids, covers, strict=True):
        row["id"] = new_id
        links.extend({"union_id": new_id, "employer_id": e["id"]} for e in group)
        row["employer_ids"] = [e["id"] for e in group]
    connection.execute(insert(union_employer), links)
    return rows


def _insert_tasks(connection, rng, plan: DemoPlan, employers: list[dict], unions: list[dict]) -> None:
    """A task this year for every employer the rules name that still has no active union, with the rules
    it met, "四清" facts and progress notes for the tasks under way, and each first-level union's target.

    ``rng`` draws one status per task for the employers the first rules named, exactly as before new forms
    of employment became a rule, so the members generated after the tasks stay the same for a seed;
    everything else comes from a generator of its own.
    """
    own = random.Random(f"{plan.seed}-tasks")
    covered = {eid for u in unions if u["status"] == "active" for eid in u["employer_ids"]}
    thresholds = connection.execute(
        select(Federation.staff_threshold, Federation.non_public_staff_threshold)
    ).one()
    statuses = ((TaskStatus.NOT_STARTED, 35), (TaskStatus.MOBILIZING, 35), (TaskStatus.PREPARING, 25),
                (TaskStatus.DEFERRED, 5))  # fmt: skip
    rows = []
    for e in employers:
        rules = rules_met(
            e["staff_count"], e["employer_class"], e["above_scale"], e["deputy_linked"],
            e["new_employment_forms"], *thresholds,
        )  # fmt: skip
        if e["id"] in covered or not rules:
            continue
        status = _weighted(rng if set(rules) != {TaskRule.NEW_EMPLOYMENT_FORMS} else own, statuses)
        rows.append(_task_row(own, plan, e, rules, status))
    if not rows:
        return
    task_ids = list(connection.scalars(insert(OrganizingTask).returning(OrganizingTask.id), rows))
    notes = [
        note
        for row, task_id in zip(rows, task_ids, strict=True)
        for note in _task_notes(own, plan, row, task_id)
    ]
    if notes:
        connection.execute(insert(TaskProgress), notes)
    _insert_targets(connection, own, plan, rows)


DEMO_WHY_NO_UNION = (
    "单位负责人对建会认识不足，担心增加用工成本", "职工流动性大，以劳务派遣用工为主", "单位成立不久，尚未明确专人负责",
    "职工分散在各个项目工地，难以集中开会", "企业经营困难，暂无精力组织建会",
)  # fmt: skip
DEMO_PLANS = (
    "在街道工会指导下召开会员大会，选举产生工会委员会", "先发展会员，条件成熟后与周边企业组建联合工会",
    "结合两代表一委员走访推动，年内完成建会", "召开职工大会，选举工会委员会和经费审查委员会",
)  # fmt: skip
DEMO_NOTES = (
    "走访单位，向负责人宣讲《工会法》和建会政策", "召开职工座谈会，了解职工入会意愿", "单位同意启动建会，成立筹备组",
    "指导单位拟定工会筹备方案", "发放入会申请书，收回{n}份", "协调单位落实工会活动场所",
    "电话联系单位负责人，约定再次走访时间",
)  # fmt: skip


def _task_row(own: random.Random, plan: DemoPlan, e: dict, rules: tuple[str, ...], status: str) -> dict:
    """A task created in the last four months; those under way know some or all of the "四清"."""
    created = datetime.combine(plan.today - timedelta(days=own.randrange(0, 120)), time(9)) + timedelta(
        minutes=own.randrange(480)
    )
    row = {
        **_stamp(), "created_at": created, "updated_at": created,
        "employer_id": e["id"], "year": plan.today.year, "first_level_union_id": e["first_level_union_id"],
        "status": status, "rules": ",".join(rules),
        "status_reason": "企业正在进行破产重整，待重整完成后推进" if status == TaskStatus.DEFERRED else None,
        # Every row has every key: one executemany takes them all.
        "staff_found": None, "workplace": None, "why_no_union": None, "plan": None, "planned_on": None,
    }  # fmt: skip
    if own.random() < (0.2 if status == TaskStatus.NOT_STARTED else 0.8):
        planned = min(plan.today + timedelta(days=own.randrange(15, 240)), date(plan.today.year, 12, 31))
        row.update(
            staff_found=max(1, round(e["staff_count"] * own.uniform(0.85, 1.1))),
            workplace=e["address"],
            why_no_union=own.choice(DEMO_WHY_NO_UNION),
            plan=own.choice(DEMO_PLANS) if status != TaskStatus.NOT_STARTED else None,
            planned_on=planned if status == TaskStatus.PREPARING else None,
        )
    return row


def _task_notes(own: random.Random, plan: DemoPlan, row: dict, task_id: int) -> list[dict]:
    """Roughly monthly notes on a task under way since it was created; some have gone quiet."""
    if row["status"] not in (TaskStatus.MOBILIZING, TaskStatus.PREPARING):
        return []
    start = row["created_at"].date()
    notes = []
    for n in range(own.randrange(0, 5)):
        noted_on = start + timedelta(days=n * 30 + own.randrange(0, 20))
        if noted_on > plan.today:
            break
        text = own.choice(DEMO_NOTES).format(n=own.randrange(5, 60))
        notes.append({**_stamp(), "task_id": task_id, "noted_on": noted_on, "note": text})
    return notes


def _insert_targets(connection, own: random.Random, plan: DemoPlan, tasks: list[dict]) -> None:
    """This year's target of each first-level union: about half its tasks, some 40–80 members each."""
    owned: dict[int, int] = {}
    for task in tasks:
        owned[task["first_level_union_id"]] = owned.get(task["first_level_union_id"], 0) + 1
    targets = []
    for first_level_union_id in connection.scalars(select(FirstLevelUnion.id)):
        new_unions = max(1, round(owned.get(first_level_union_id, 0) * own.uniform(0.4, 0.6)))
        targets.append(
            {
                **_stamp(),
                "first_level_union_id": first_level_union_id,
                "year": plan.today.year,
                "new_unions": new_unions,
                "new_members": new_unions * own.randrange(4, 9) * 10,
            }
        )
    connection.execute(insert(OrganizingTarget), targets)


def _members_per_union(plan: DemoPlan, unions: list[dict]) -> list[int]:
    """Share the members out in proportion to covered staff (largest remainder, so they add up exactly)."""
    weights = [u["covered_staff"] for u in unions]
    total_weight = sum(weights) or 1
    shares = [plan.members * w / total_weight for w in weights]
    counts = [int(share) for share in shares]
    by_remainder = sorted(range(len(unions)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: plan.members - sum(counts)]:
        counts[i] += 1
    return counts


def _member_batches(
    rng, ids, plan: DemoPlan, unions: list[dict], batch: int, changes: list[tuple[str, str, date]]
) -> Iterator[list[dict]]:
    """The member rows, a batch at a time; each leaving and rejoining is added to ``changes`` as
    (ID number, kind, date)."""
    rows: list[dict] = []
    # Rejoining dates come from their own generator, so the members stay those of the same seed before.
    comebacks = random.Random(plan.seed + 1)
    leavers, comeback_due = 0, False
    new_forms = rng.random
    join_end = min(plan.today, date(2025, 12, 31))
    for union, count in zip(unions, _members_per_union(plan, unions), strict=True):
        join_start = max(union["founded_on"], date(2015, 1, 1))
        for _ in range(count):
            # A union founded after join_end (its employer is that new) has its members join on its
            # founding day, never before it.
            joined = _random_date(rng, join_start, max(join_start, join_end))
            born = _random_date(rng, date(joined.year - 58, 1, 1), date(joined.year - 18, 12, 28))
            roll = rng.random()
            status, left = MemberStatus.ACTIVE, None
            if roll < 0.05:
                status, left = MemberStatus.TRANSFERRED_OUT, _random_date(rng, joined, plan.today)
            elif roll < 0.08:
                status, left = MemberStatus.WITHDRAWN, _random_date(rng, joined, plan.today)
            flexible = new_forms() < 0.04
            name = _person_name(rng)  # drawn in the order they always were: a seed gives the same people
            id_number = _id_number(rng, ids, born)
            if left is not None:
                changes.append((id_number, status, left))
                leavers += 1
                # The first leaver who can and one in REJOIN_EVERY after come back (into a union still
                # active, as the program requires), so even a small demo holds every case.
                comeback_due = comeback_due or leavers % REJOIN_EVERY == 1
                if comeback_due and left < plan.today and union["status"] == "active":
                    back = _random_date(comebacks, left + timedelta(days=1), plan.today)
                    changes.append((id_number, MembershipChangeKind.REJOINED, back))
                    status, left, comeback_due = MemberStatus.ACTIVE, None, False
            rows.append(
                {
                    **_stamp(),
                    "name": name,
                    "id_number": id_number,
                    "ethnicity": _weighted(rng, ETHNICITIES),
                    "political_status": _weighted(rng, POLITICAL),
                    "education": _weighted(rng, EDUCATION),
                    "mobile": _mobile(rng, ids) if rng.random() < 0.85 else None,
                    "household_type": HouseholdType.RURAL if rng.random() < 0.45 else HouseholdType.URBAN,
                    "employment_form": EmploymentForm.FLEXIBLE if flexible else EmploymentForm.REGULAR,
                    "flexible_occupation": rng.choice(list(FlexibleOccupation)) if flexible else None,
                    "union_id": union["id"],
                    "joined_on": joined,
                    "join_channel": JoinChannel.SOURCE_SITE if rng.random() < 0.05 else JoinChannel.REGULAR,
                    "status": status,
                    "left_on": left,
                }
            )
            if len(rows) >= batch:
                yield rows
                rows = []
    if rows:
        yield rows


def _insert_membership_changes(connection, changes: list[tuple[str, str, date]]) -> None:
    """The change rows of the members who left (and of those who came back), found by ID number."""
    if not changes:
        return
    numbers = list(dict.fromkeys(number for number, _, _ in changes))
    member_ids = dict(
        connection.execute(
            select(Member.id_number, Member.id).where(in_values(Member.id_number, numbers))
        ).all()
    )
    connection.execute(
        insert(MembershipChange),
        [
            {**_stamp(), "member_id": member_ids[number], "kind": kind, "happened_on": day}
            for number, kind, day in changes
        ],
    )
