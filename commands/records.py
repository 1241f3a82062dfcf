"""``employer add`` and ``member add``: one record from the command line, checked like a form."""

from __future__ import annotations

from commands.output import EXIT_DONE, Reporter
from commands.parser import parse_date
from models.database import opened
from models.employers import add_employer
from models.entities import EmployerClass
from models.paths import DataDir
from models.registers import add_member

EMPLOYER_CLASSES = {
    "国有企业": EmployerClass.STATE_OWNED,
    "机关事业单位": EmployerClass.PUBLIC_INSTITUTION,
    "非公企业": EmployerClass.NON_PUBLIC,
    "社会组织": EmployerClass.SOCIAL_ORGANIZATION,
}


def add_parsers(subparsers, parent) -> None:
    employer = subparsers.add_parser("employer", help="单位登记").add_subparsers(dest="action", required=True)
    add = employer.add_parser("add", parents=[parent], help="登记一家单位")
    add.add_argument("--name", required=True, help="单位名称")
    add.add_argument("--credit-code", help="统一社会信用代码（18位）")
    add.add_argument(
        "--class", dest="employer_class", required=True, choices=list(EMPLOYER_CLASSES), help="单位类别"
    )
    add.add_argument("--staff-count", type=int, help="职工人数")
    add.add_argument("--first-level-union", help="负责的一级工会名称")
    add.set_defaults(run=run_employer_add)

    member = subparsers.add_parser("member", help="会员登记").add_subparsers(dest="action", required=True)
    add = member.add_parser("add", parents=[parent], help="登记一名会员")
    add.add_argument("--name", required=True, help="姓名")
    add.add_argument("--id-number", required=True, help="居民身份证号（18位）")
    add.add_argument("--union", required=True, help="所在基层工会的名称或统一社会信用代码")
    add.add_argument("--joined-on", required=True, help="入会日期，如 2020-03-05")
    add.add_argument("--mobile", help="手机号码")
    add.set_defaults(run=run_member_add)


def run_employer_add(args, data_dir: DataDir, reporter: Reporter) -> int:
    with opened(data_dir) as engine:
        record = add_employer(
            engine,
            name=args.name,
            credit_code=args.credit_code,
            employer_class=EMPLOYER_CLASSES[args.employer_class],
            staff_count=args.staff_count,
            first_level_union=args.first_level_union,
        )
    reporter.say(f"已登记单位“{record.name}”。")
    return reporter.finish(
        EXIT_DONE,
        {
            "employer": {
                "id": record.id,
                "uuid": record.uuid,
                "name": record.name,
                "credit_code": record.credit_code,
            }
        },
    )


def run_member_add(args, data_dir: DataDir, reporter: Reporter) -> int:
    joined_on = parse_date(args.joined_on, "joined_on")
    with opened(data_dir) as engine:
        record = add_member(
            engine,
            name=args.name,
            id_number=args.id_number,
            union=args.union,
            joined_on=joined_on,
            mobile=args.mobile,
        )
    reporter.say(f"已登记会员“{record.name}”，所在工会“{record.union_name}”。")
    return reporter.finish(
        EXIT_DONE,
        {"member": {"id": record.id, "uuid": record.uuid, "name": record.name, "union": record.union_name}},
    )
