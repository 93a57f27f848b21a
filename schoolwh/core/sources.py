"""The input sources of the contract (docs/contract.md#sources), as data.

Every other stage reads the columns, aliases, types, enumerations and keys from here:
the loader to recognise and check files, the generator to write them, the quality
checks and the raw table definitions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Column kinds and the DuckDB type each lands as in raw.<source>.
RAW_TYPES = {
    "code": "VARCHAR",  # school_code, district_code: strings, leading zeros kept
    "string": "VARCHAR",
    "text": "VARCHAR",  # free text
    "enum": "VARCHAR",  # canonical English value
    "term": "VARCHAR",  # canonical 2025-autumn
    "date": "DATE",
    "int": "BIGINT",
    "number": "DOUBLE",  # a measure with decimals (a check's score 92.5)
    "year": "INTEGER",
    "money": "DECIMAL(18,2)",  # yuan
    "bool": "BOOLEAN",
}

# Load metadata carried by every raw row.
# `_batch_seq` numbers every (file, sheet) ever landed, in load order: staging keeps, per
# natural key, the row of the highest `_batch_seq` (latest load wins).
META_COLUMNS = {
    "_load_id": "BIGINT",
    "_batch_seq": "BIGINT",
    "_file_hash": "VARCHAR",
    "_file_name": "VARCHAR",
    "_sheet": "VARCHAR",
    "_row_number": "INTEGER",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    enum: dict[str, str] | None = None  # canonical English value -> Chinese label
    minimum: float | None = None
    default: object = None
    nonzero: bool = False
    positive: bool = False
    maximum: float | None = None  # a scale (score 1-5, 0-100): no unit, out_of_range above
    # Labels people write beside the contract's own, per column: label -> canonical value
    # (docs/contract.md#how-values-are-read), e.g. 达标 for `pass`.
    synonyms: dict[str, str] | None = None
    # A part of another column of the row (meat_dishes of dishes): parts_exceed_total above it.
    part_of: str | None = None
    # Free text that never leaves raw.<source>: no staging or mart column, no quality-check
    # frame, no SQL-sandbox read (docs/contract.md#free-text-and-personal-data).
    raw_only: bool = False
    personal: bool = False  # names a person (a companion, an inspector): also raw only
    # What a money unit in this column's header may be per (元/餐 for a meal price).
    per: tuple[str, ...] = ()

    @property
    def zh(self) -> str:
        """The Chinese header a bureau would write."""
        return self.aliases[0] if self.aliases else self.name

    @property
    def raw_type(self) -> str:
        return RAW_TYPES[self.kind]

    @property
    def stays_raw(self) -> bool:
        """Never read beyond raw.<source> (free text that may hold personal data)."""
        return self.raw_only or self.personal


@dataclass(frozen=True)
class Source:
    name: str
    zh: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    title_zh: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


DISTRICT_CODE_ALIASES = ("区县代码", "行政区划代码", "区域代码", "区划代码")
# 机构代码: the Ministry's statistics name the 学校标识码 of every institution so
SCHOOL_CODE_ALIASES = ("学校代码", "学校标识码", "学校（机构）标识码", "机构代码")

DISTRICT_KIND = {
    "district": "市辖区",
    "county": "县",
    "county_city": "县级市",
    "dev_zone": "开发区",
    "school_zone": "学区",
}
STAGE = {
    "primary": "小学",
    "junior": "初中",
    "nine_year": "九年一贯制",
    "complete_secondary": "完全中学",
    "twelve_year": "十二年一贯制",
}
OWNERSHIP = {"public": "公办", "private": "民办"}
LOCATION = {"urban": "城区", "town": "镇区", "rural": "乡村"}
LUNCH_MODE = {
    "self_run": "自办食堂",
    "catering": "企业配餐",
    "central_kitchen": "中央厨房",
    "none": "无",
}
# The lunch modes of a school that cooks (a kitchen school, docs/kpis.md): its kitchen is
# watched by cameras and checked; 企业配餐 schools have none (dbt: macros/service_rules.sql).
KITCHEN_MODES = ("self_run", "central_kitchen")
PROGRAM = {
    "lunch_subsidy": "午餐补助",
    "nutrition_plan": "营养改善计划",
    "after_school": "课后服务",
    "canteen_construction": "食堂建设",
    "equipment": "设施设备",
    "other": "其他",
}
FUNDING_SOURCE = {
    "central": "中央",
    "provincial": "省级",
    "municipal": "市级",
    "county": "县级",
    "other": "其他",
}
EXPENDITURE_CATEGORY = {
    "ingredients": "食材",
    "staff": "人员",
    "equipment": "设备",
    "construction": "工程",
    "other": "其他",
}
RESPONDENT = {"parent": "家长", "student": "学生", "teacher": "教师"}
ISSUE_SOURCE = {
    "daily_check": "日管控",
    "weekly_check": "周排查",
    "monthly_review": "月调度",
    "unannounced": "四不两直",
    "accompanied_meal": "陪餐",
    "parent_report": "家长反映",
    "other": "其他",
}
ISSUE_CATEGORY = {
    "food_safety": "食品安全",
    "hygiene": "环境卫生",
    "records": "台账记录",
    "ingredient_check": "食材查验",
    "tableware": "餐具洗消",
    "staff_health": "人员健康",
    "funds": "资金管理",
    "procurement": "采购",
    "facilities": "设施设备",
    "other": "其他",
}
SEVERITY = {"low": "一般", "medium": "较重", "high": "严重"}

COMPANION_ROLE = {
    "school_leader": "校领导",
    "official": "包联干部",
    "teacher": "教师",
    "parent": "家长",
    "committee": "膳食委员会",
    "deputy": "人大代表政协委员",
    "other": "其他",
}
CHECK_KIND = {"daily": "日管控", "weekly": "周排查", "monthly": "月调度", "standard": "标准化验收"}
CHECK_RESULT = {"pass": "合格", "fail": "不合格"}
FOOD_CATEGORY = {
    "rice": "大米",
    "flour": "面粉",
    "oil": "食用油",
    "meat": "肉类",
    "egg": "蛋类",
    "milk": "奶类",
    "vegetable": "蔬菜",
    "other": "其他",
}
# 大宗食材 (docs/kpis.md): the categories whose delivery is judged for unified delivery
BULK_CATEGORIES = ("rice", "flour", "oil", "meat", "egg", "milk")
TRAINING_AUDIENCE = {
    "safety_director": "食品安全总监",
    "canteen_manager": "食堂管理员",
    "finance": "财务人员",
    "supervisor": "责任督学",
    "supplier": "配送企业负责人",
    "staff": "从业人员",
    "other": "其他",
}
ISSUE_STATUS = {"open": "未整改", "in_progress": "整改中", "closed": "已整改"}

SCORE_MAX = 5  # survey scores and 陪餐 ratings run 1..5 (5 = 非常满意)

# Labels beside an enumeration's own (Column.synonyms).
LUNCH_MODE_SYNONYMS = {
    "中央厨房+卫星厨房": "central_kitchen",
    "中央厨房+卫星厨房模式": "central_kitchen",
}
OWNERSHIP_SYNONYMS = {"公立": "public", "私立": "private"}
CHECK_RESULT_SYNONYMS = {
    "是": "pass",
    "达标": "pass",
    "通过": "pass",
    "√": "pass",
    "否": "fail",
    "×": "fail",
    "不达标": "fail",
    "未通过": "fail",
    "不通过": "fail",
}
COMPANION_ROLE_SYNONYMS = {
    "校长": "school_leader",
    "副校长": "school_leader",
    "学校领导": "school_leader",
    "校级领导": "school_leader",
    "家长代表": "parent",
    "人大代表": "deputy",
    "政协委员": "deputy",
    "包联领导": "official",
}
CHECK_KIND_SYNONYMS = {
    "日检查": "daily",
    "每日检查": "daily",
    "周检查": "weekly",
    "每周排查": "weekly",
    "月检查": "monthly",
    "标准化": "standard",
    "食堂标准化验收": "standard",
    "标准化建设验收": "standard",
}
FOOD_CATEGORY_SYNONYMS = {
    "米": "rice",
    "面": "flour",
    "油": "oil",
    "植物油": "oil",
    "食用植物油": "oil",
    "肉": "meat",
    "猪肉": "meat",
    "牛肉": "meat",
    "羊肉": "meat",
    "禽肉": "meat",
    "鸡肉": "meat",
    "蛋": "egg",
    "鸡蛋": "egg",
    "奶": "milk",
    "牛奶": "milk",
    "学生奶": "milk",
    "学生饮用奶": "milk",
}
TRAINING_AUDIENCE_SYNONYMS = {
    "食堂管理人员": "canteen_manager",
    "食堂从业人员": "staff",
    "督学": "supervisor",
    "财务": "finance",
    "配送企业": "supplier",
}
# What a meal price's unit may be per: 元/餐, 元/人·餐, 元/人/天 (one lunch a day).
PER_MEAL = ("餐", "份", "人", "生", "天", "人·餐", "人餐", "人/餐", "人/天", "生/天")


def _score(name: str, aliases: tuple[str, ...], required: bool = False) -> Column:
    return Column(name, "int", required, aliases, minimum=1, maximum=SCORE_MAX)


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "districts",
            "区县",
            ("district_code",),
            (
                Column("district_code", "code", True, DISTRICT_CODE_ALIASES),
                Column(
                    "district_name",
                    "string",
                    True,
                    ("区县", "区县名称", "区域", "区域名称", "行政区划名称"),
                ),
                Column("district_kind", "enum", False, ("类型", "区域类型"), DISTRICT_KIND),
            ),
            title_zh="区县（市）、开发区名录",
        ),
        Source(
            "schools",
            "学校",
            ("school_code",),
            (
                Column("school_code", "code", True, SCHOOL_CODE_ALIASES),
                Column(
                    "school_name",
                    "string",
                    True,
                    ("学校名称", "学校", "学校（机构）名称", "机构名称", "单位名称"),
                ),
                Column("district_code", "code", True, DISTRICT_CODE_ALIASES),
                Column("stage", "enum", True, ("学段", "办学类型"), STAGE),
                Column(
                    "ownership",
                    "enum",
                    True,
                    ("办学性质", "举办者"),
                    OWNERSHIP,
                    synonyms=OWNERSHIP_SYNONYMS,
                ),
                Column("location", "enum", False, ("城乡类型", "城乡"), LOCATION),
                Column(
                    "lunch_mode",
                    "enum",
                    True,
                    ("供餐模式", "午餐供餐模式"),
                    LUNCH_MODE,
                    synonyms=LUNCH_MODE_SYNONYMS,
                ),
                Column("lunch_start_date", "date", False, ("供餐开始日期", "开始供餐日期")),
                Column("has_after_school", "bool", True, ("课后服务", "是否开展课后服务")),
                Column("after_school_start_date", "date", False, ("课后服务开始日期",)),
                Column(
                    "nutrition_plan",
                    "bool",
                    False,
                    ("营养改善计划", "是否纳入营养改善计划"),
                    default=False,
                ),
                Column("active", "bool", False, ("在办", "是否在办"), default=True),
            ),
            title_zh="学校基本信息表",
        ),
        Source(
            "enrollment",
            "在校生",
            ("school_code", "term"),
            (
                Column("school_code", "code", True, SCHOOL_CODE_ALIASES),
                Column("term", "term", True, ("学期",)),
                Column("enrolled", "int", True, ("在校生数", "在校学生数", "学生数"), minimum=0),
                Column("lunch_need", "int", False, ("有就餐需求学生数", "就餐需求人数"), minimum=0),
                Column(
                    "after_school_need",
                    "int",
                    False,
                    ("有课后服务需求学生数", "课后服务需求人数"),
                    minimum=0,
                ),
                Column("left_behind", "int", False, ("留守儿童数",), minimum=0),
                Column("migrant", "int", False, ("随迁子女数",), minimum=0),
                Column("disabled", "int", False, ("残疾学生数",), minimum=0),
            ),
            title_zh="在校生及需求情况统计表",
        ),
        Source(
            "participation",
            "每日就餐及课后服务",
            ("school_code", "date"),
            (
                Column("school_code", "code", True, SCHOOL_CODE_ALIASES),
                Column("date", "date", True, ("日期", "就餐日期")),
                Column(
                    "lunch_students",
                    "int",
                    True,
                    ("就餐人数", "在校就餐人数", "午餐人数"),
                    minimum=0,
                ),
                Column(
                    "after_school_students",
                    "int",
                    False,
                    ("课后服务人数", "参加课后服务人数"),
                    minimum=0,
                ),
            ),
            title_zh="午餐供餐及课后服务每日情况统计表",
        ),
        Source(
            "budget",
            "预算下达",
            ("budget_id",),
            (
                Column("budget_id", "string", True, ("指标文号", "文号", "预算编号")),
                Column("fiscal_year", "year", True, ("年度", "预算年度")),
                Column("district_code", "code", True, DISTRICT_CODE_ALIASES),
                Column("school_code", "code", False, SCHOOL_CODE_ALIASES),
                Column("program", "enum", True, ("项目", "资金项目"), PROGRAM),
                Column("funding_source", "enum", False, ("资金来源",), FUNDING_SOURCE),
                Column("amount", "money", True, ("金额", "下达金额", "拨付金额"), positive=True),
                Column("allocated_date", "date", False, ("下达日期", "拨付日期")),
            ),
            title_zh="资金下达情况表",
        ),
        Source(
            "expenditure",
            "资金支出",
            ("expenditure_id",),
            (
                Column("expenditure_id", "string", True, ("凭证号", "支出编号")),
                Column("date", "date", True, ("日期", "支出日期")),
                Column("district_code", "code", True, DISTRICT_CODE_ALIASES),
                Column("school_code", "code", False, SCHOOL_CODE_ALIASES),
                Column("program", "enum", True, ("项目", "资金项目"), PROGRAM),
                Column("category", "enum", False, ("支出类别", "类别"), EXPENDITURE_CATEGORY),
                Column("amount", "money", True, ("金额", "支出金额"), nonzero=True),
            ),
            title_zh="资金支出明细表",
        ),
        Source(
            "survey",
            "满意度调查",
            ("response_id",),
            (
                Column("response_id", "string", True, ("问卷编号", "答卷编号")),
                Column("school_code", "code", True, SCHOOL_CODE_ALIASES),
                Column("date", "date", True, ("日期", "填写日期")),
                Column("respondent", "enum", True, ("身份", "填写人身份"), RESPONDENT),
                _score("overall", ("总体满意度", "满意度"), True),
                _score("taste", ("口味",)),
                _score("portion", ("分量",)),
                _score("hygiene", ("卫生",)),
                _score("price", ("价格",)),
                _score("service", ("服务",)),
                Column("comment", "text", False, ("意见建议", "备注"), raw_only=True),
            ),
            title_zh="学校午餐满意度调查结果",
        ),
        Source(
            "issues",
            "问题整改",
            ("issue_id",),
            (
                Column("issue_id", "string", True, ("问题编号",)),
                Column("school_code", "code", True, SCHOOL_CODE_ALIASES),
                Column("found_date", "date", True, ("发现日期",)),
                Column("source", "enum", False, ("问题来源", "发现方式"), ISSUE_SOURCE),
                Column("category", "enum", True, ("问题类别", "类别"), ISSUE_CATEGORY),
                Column("severity", "enum", False, ("严重程度",), SEVERITY),
                Column("deadline", "date", False, ("整改期限",)),
                Column("status", "enum", True, ("整改状态", "状态"), ISSUE_STATUS),
                Column("closed_date", "date", False, ("整改完成日期",)),
                Column("description", "text", False, ("问题描述",)),
            ),
            title_zh="问题整改台账",
        ),
        Source(
            "meal_companions",
            "陪餐记录",
            ("record_id",),
            (
                Column("record_id", "string", True, ("记录编号", "陪餐编号")),
                Column("school_code", "code", True, SCHOOL_CODE_ALIASES),
                Column("date", "date", True, ("陪餐日期", "日期")),
                Column(
                    "role",
                    "enum",
                    True,
                    ("陪餐人员类别", "陪餐人身份", "身份"),
                    COMPANION_ROLE,
                    synonyms=COMPANION_ROLE_SYNONYMS,
                ),
                Column("people", "int", False, ("陪餐人数",), minimum=1, default=1),
                Column("rating", "int", False, ("评价", "满意度"), minimum=1, maximum=SCORE_MAX),
                Column("companion_name", "text", False, ("陪餐人", "姓名"), personal=True),
                Column("feedback", "text", False, ("意见建议", "发现问题"), raw_only=True),
            ),
            title_zh="陪餐记录表",
        ),
        Source(
            "menus",
            "食谱",
            ("school_code", "date"),
            (
                Column("school_code", "code", True, SCHOOL_CODE_ALIASES),
                Column("date", "date", True, ("供餐日期", "日期")),
                Column("dishes", "int", True, ("菜品数", "菜数"), minimum=0),
                Column("meat_dishes", "int", False, ("荤菜数",), minimum=0, part_of="dishes"),
                Column("has_fruit", "bool", True, ("水果", "是否有水果")),
                Column("has_staple", "bool", True, ("主食", "是否有主食")),
                Column(
                    "price",
                    "money",
                    False,
                    ("餐费", "价格", "每餐价格"),
                    minimum=0,
                    per=PER_MEAL,
                ),
                Column("published_date", "date", False, ("公示日期",)),
                Column("menu_text", "text", False, ("菜单", "菜品名称")),
            ),
            title_zh="每日食谱公示表",
        ),
        Source(
            "kitchen_cameras",
            "明厨亮灶",
            ("school_code", "date"),
            (
                Column("school_code", "code", True, SCHOOL_CODE_ALIASES),
                Column("date", "date", True, ("统计日期", "日期")),
                Column("cameras", "int", True, ("摄像头数", "接入路数", "设备数"), minimum=0),
                Column("online", "int", True, ("在线数", "在线路数"), minimum=0, part_of="cameras"),
            ),
            title_zh="明厨亮灶设备在线情况",
        ),
        Source(
            "canteen_checks",
            "食堂检查",
            ("check_id",),
            (
                Column("check_id", "string", True, ("检查编号", "记录编号")),
                Column("school_code", "code", True, SCHOOL_CODE_ALIASES),
                Column("date", "date", True, ("检查日期", "日期")),
                Column(
                    "kind",
                    "enum",
                    True,
                    ("检查类型", "类型"),
                    CHECK_KIND,
                    synonyms=CHECK_KIND_SYNONYMS,
                ),
                Column(
                    "result",
                    "enum",
                    True,
                    ("检查结果", "结果", "是否合格"),
                    CHECK_RESULT,
                    synonyms=CHECK_RESULT_SYNONYMS,
                ),
                Column("score", "number", False, ("得分",), minimum=0, maximum=100),
                Column("inspector", "text", False, ("检查人",), personal=True),
            ),
            title_zh="日管控周排查月调度及标准化验收记录",
        ),
        Source(
            "suppliers",
            "供应商",
            ("supplier_id",),
            (
                Column(
                    "supplier_id",
                    "code",
                    True,
                    ("供应商编号", "企业编号", "统一社会信用代码"),
                ),
                Column("supplier_name", "string", True, ("供应商名称", "企业名称")),
                Column("district_code", "code", False, DISTRICT_CODE_ALIASES),
                Column(
                    "certified",
                    "bool",
                    True,
                    ("体系认证", "是否通过HACCP或ISO22000认证", "HACCP/ISO22000认证"),
                ),
                Column("admitted_date", "date", True, ("准入日期", "入围日期")),
                Column("exited_date", "date", False, ("清退日期", "退出日期")),
            ),
            title_zh="大宗食材配送企业名录",
        ),
        Source(
            "deliveries",
            "食材配送",
            ("delivery_id",),
            (
                Column("delivery_id", "string", True, ("配送单号", "验收单号")),
                Column("school_code", "code", True, SCHOOL_CODE_ALIASES),
                Column("date", "date", True, ("配送日期", "验收日期")),
                Column(
                    "supplier_id",
                    "code",
                    True,
                    ("供应商编号", "企业编号", "统一社会信用代码"),
                ),
                Column(
                    "category",
                    "enum",
                    True,
                    ("食材类别", "品类"),
                    FOOD_CATEGORY,
                    synonyms=FOOD_CATEGORY_SYNONYMS,
                ),
                Column("unified", "bool", True, ("统一配送", "是否统一配送")),
                Column("amount", "money", True, ("金额", "配送金额"), positive=True),
                Column("inspected", "bool", False, ("双人查验", "是否查验")),
            ),
            title_zh="食材配送验收台账",
        ),
        Source(
            "training",
            "培训",
            ("training_id",),
            (
                Column("training_id", "string", True, ("培训编号",)),
                Column("date", "date", True, ("培训日期", "日期")),
                Column("district_code", "code", True, DISTRICT_CODE_ALIASES),
                Column(
                    "audience",
                    "enum",
                    False,
                    ("培训对象",),
                    TRAINING_AUDIENCE,
                    synonyms=TRAINING_AUDIENCE_SYNONYMS,
                ),
                Column("person_times", "int", True, ("培训人次", "参训人数"), minimum=1),
                Column("topic", "text", False, ("培训内容", "主题"), raw_only=True),
            ),
            title_zh="食品安全与营养健康培训记录",
        ),
    )
}


def aliases(column: Column) -> tuple[str, ...]:
    """Every accepted header for a column: its canonical name and all aliases."""
    return (column.name, *column.aliases)


def raw_only_columns() -> dict[tuple[str, str], tuple[str, ...]]:
    """(schema, table) -> the columns that never leave raw.* (free text that may hold
    personal data): what the SQL sandbox must refuse to read, from the contract."""
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for name, src in SOURCES.items():
        cols = tuple(c.name for c in src.columns if c.stays_raw)
        if cols:
            out[("raw", name)] = cols
    return out


def raw_table_ddl(source: Source, schema: str = "raw") -> str:
    cols = [f"{c.name} {c.raw_type}" for c in source.columns]
    cols += [f"{n} {t}" for n, t in META_COLUMNS.items()]
    return f"CREATE TABLE IF NOT EXISTS {schema}.{source.name} (\n  " + ",\n  ".join(cols) + "\n)"
