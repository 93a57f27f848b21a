"""Calibration data for the sample jurisdiction: the 16 reporting units of Zhengzhou.

Figures come from the seed document (郑州市教育局简报, 2022): about 1,300 schools, all
with after-school service, 1,172 of them serving lunch; about 840,000 students (≈71 %)
eating at school; and the district facts quoted in `SEED_CANTEENS` and
`CENTRAL_KITCHENS`. The rest (school counts per district, rates, execution) are
plausible settings that make the urban core and the outer counties differ.
"""

from __future__ import annotations

from dataclasses import dataclass

from schoolwh.generator.calendar import TERMS, term_index

# Scale of the seed city: the figures below hold at this many schools.
BASE_SCHOOLS = 1300
BASE_STUDENTS = 1_180_000
# City-wide share of enrolled students eating lunch at school on an average day, in the
# latest term; each term before it one point less.
EATING_SHARE = 0.71
# Share of schools that serve no lunch at all (1,172 of 1,298 serve lunch).
NO_LUNCH_SHARE = 0.10


@dataclass(frozen=True)
class District:
    """One reporting unit and the settings that shape its synthetic schools."""

    code: str
    name: str
    kind: str  # district / county / county_city / dev_zone
    core: bool  # one of the nine inner districts (市内九区) that started lunch in 2019
    weight: float  # relative number of schools
    location_mix: tuple[float, float, float]  # urban, town, rural
    places: tuple[str, ...]  # towns and subdistricts, for school names
    budget_prefix: str  # prefix of the district's allocation documents (指标文号)
    completeness: float  # mean share of school days reported
    execution: float  # budget execution rate for the year
    issues_per_school: float  # inspection issues per lunch-serving school per year
    eating_bias: float  # added to the schools' lunch take-up before calibration
    satisfied: float  # probability that a survey response is 满意 or 非常满意
    lunch_subsidy: float  # yuan per eating student per school day paid by the district


DISTRICTS: tuple[District, ...] = (
    District(
        "410102", "中原区", "district", True, 80, (0.85, 0.12, 0.03),
        ("须水", "林山寨", "秦岭", "石佛"),
        "中财教", 0.988, 0.96, 0.9, 0.02, 0.955, 0.0,
    ),
    District(
        "410103", "二七区", "district", True, 85, (0.80, 0.14, 0.06),
        ("侯寨", "马寨", "樱桃沟", "齐礼阎"),
        "二七财教", 0.985, 0.95, 1.0, 0.0, 0.95, 0.0,
    ),
    District(
        "410104", "管城回族区", "district", True, 70, (0.80, 0.14, 0.06),
        ("南曹", "十八里河", "潮河", "陇海"),
        "管财教", 0.984, 0.94, 1.0, 0.0, 0.95, 0.0,
    ),
    District(
        "410105", "金水区", "district", True, 135, (0.95, 0.05, 0.0),
        ("杨金", "丰庆", "兴达", "国基"),
        "金财教", 0.99, 0.97, 0.8, 0.04, 0.965, 0.0,
    ),
    District(
        "410106", "上街区", "district", True, 22, (0.70, 0.20, 0.10),
        ("峡窝", "工业", "矿山"),
        "上财教", 0.975, 0.93, 1.0, -0.02, 0.95, 0.0,
    ),
    District(
        "410108", "惠济区", "district", True, 55, (0.60, 0.25, 0.15),
        ("古荥", "花园口", "新城", "大河"),
        "惠财教", 0.982, 0.96, 1.1, 0.0, 0.955, 0.0,
    ),
    District(
        "410100ZD", "郑东新区", "dev_zone", True, 70, (0.92, 0.06, 0.02),
        ("祭城", "龙湖", "杨桥", "圃田"),
        "郑东财", 0.992, 0.97, 0.7, 0.06, 0.97, 3.0,
    ),
    District(
        "410172", "高新区", "dev_zone", True, 50, (0.70, 0.20, 0.10),
        ("沟赵", "石佛", "枫杨", "双桥", "梧桐"),
        "高新财", 0.986, 0.95, 0.9, 0.02, 0.955, 0.0,
    ),
    District(
        "410171", "经开区", "dev_zone", True, 45, (0.70, 0.20, 0.10),
        ("九龙", "潮河", "前程", "京航", "明湖"),
        "经开财", 0.986, 0.94, 0.9, 0.02, 0.955, 0.0,
    ),
    District(
        "410122", "中牟县", "county", False, 105, (0.20, 0.35, 0.45),
        ("韩寺", "官渡", "狼城岗", "万滩", "白沙", "郑庵", "黄店", "大孟", "刘集", "雁鸣湖"),
        "牟财教", 0.955, 0.80, 1.8, -0.08, 0.91, 0.0,
    ),
    District(
        "410181", "巩义市", "county_city", False, 125, (0.25, 0.35, 0.40),
        ("米河", "小关", "竹林", "大峪沟", "河洛", "站街", "康店", "北山口", "西村", "芝田",
         "回郭", "鲁庄", "夹津口", "涉村"),
        "巩财教", 0.962, 0.84, 1.6, -0.06, 0.92, 0.0,
    ),
    District(
        "410182", "荥阳市", "county_city", False, 100, (0.25, 0.35, 0.40),
        ("豫龙", "乔楼", "广武", "王村", "汜水", "高村", "刘河", "崔庙", "贾峪", "高山"),
        "荥财教", 0.965, 0.83, 1.6, -0.05, 0.92, 0.0,
    ),
    District(
        "410183", "新密市", "county_city", False, 110, (0.20, 0.35, 0.45),
        ("米村", "牛店", "平陌", "超化", "苟堂", "大隗", "刘寨", "白寨", "岳村", "来集",
         "曲梁", "袁庄"),
        "密财教", 0.950, 0.78, 1.9, -0.08, 0.90, 0.0,
    ),
    District(
        "410184", "新郑市", "county_city", False, 105, (0.30, 0.35, 0.35),
        ("龙湖", "孟庄", "郭店", "和庄", "薛店", "梨河", "辛店", "观音寺", "八千"),
        "新郑财教", 0.968, 0.85, 1.5, -0.04, 0.925, 0.0,
    ),
    District(
        "410185", "登封市", "county_city", False, 115, (0.15, 0.35, 0.50),
        ("大金店", "颍阳", "卢店", "告成", "大冶", "宣化", "徐庄", "东华", "唐庄", "石道",
         "君召", "白坪"),
        "登财教", 0.935, 0.72, 2.2, -0.10, 0.88, 0.0,
    ),
    District(
        "410173", "航空港区", "dev_zone", False, 78, (0.35, 0.35, 0.30),
        ("新港", "滨河", "明港", "冯堂", "龙中", "三官庙", "龙王", "八岗", "张庄"),
        "港财教", 0.958, 0.76, 1.7, -0.03, 0.91, 2.0,
    ),
)  # fmt: skip

# Counties whose rural schools run a local nutrition-plan pilot (5 yuan a school day).
NUTRITION_PLAN_DISTRICTS = ("410185", "410183")
NUTRITION_YUAN_PER_DAY = 5.0


@dataclass(frozen=True)
class CanteenFact:
    """A canteen-building programme from the seed document, at the seed city's scale."""

    district_code: str
    schools: int
    amount_wan: int  # 万元
    quote: str


# 惠济区: 1.68亿元 for 25 canteens; 航空港区: 1200万元 for 58 public schools' canteens;
# 金水区: 2500余万 for 13 canteens.
SEED_CANTEENS: tuple[CanteenFact, ...] = (
    CanteenFact("410108", 25, 16800, "投入资金1.68亿元，高标准改扩建25所学校食堂"),
    CanteenFact("410173", 58, 1200, "投资1200万元，改扩建58所公办学校食堂"),
    CanteenFact("410105", 13, 2500, "投入2500余万，改扩建13所学校食堂"),
)
# 金水区: 13 schools on "中央厨房+卫星厨房".
CENTRAL_KITCHENS = {"410105": 13}

# Districts whose survey samples are small in one term (fewer than 30 responses),
# as (district_code, term) -> responses at the seed city's scale.
SMALL_SURVEYS = {("410106", "2025-autumn"): 24, ("410108", "2025-spring"): 27}


def eating_share(term: str) -> float:
    """The city-wide eating share a term is calibrated to (2025-autumn 0.71, 2025-spring
    0.70, 2024-autumn 0.69 …)."""
    return EATING_SHARE - 0.01 * (len(TERMS) - 1 - term_index(term))


def scaled(count: int, schools: int, minimum: int = 1) -> int:
    """A count given at the seed city's scale, scaled to `schools` schools."""
    return max(minimum, round(count * schools / BASE_SCHOOLS))
