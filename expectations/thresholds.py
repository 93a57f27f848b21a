"""Thresholds of the quality checks, each with the reason it has the value it has.

Plausibility limits are warnings: a clerk looks at the rows named in the examples and
either corrects the file or accepts the figure. Absurd values (ABSURD_*), beyond any real
school or budget, are critical: they block the publish. Contract rules that the loader already
enforces row by row are re-checked as critical safety nets: if one ever fails, the
loader has a bug and the build must not be published.
"""

from __future__ import annotations

# --- participation and enrolment -------------------------------------------------------

# Students eating lunch (or staying for after-school service) on one day may exceed the
# term's enrolment a little: enrolment is counted once a term while pupils transfer in
# during it, and teachers' children or visiting pupils sometimes eat too. More than 10 %
# above enrolment is almost always a typing error (an extra digit) or a wrong school code.
MAX_STUDENTS_PER_ENROLLED = 1.10

# The largest Chinese compulsory-education schools (multi-campus "super schools") have
# around 10,000 pupils; a figure above this is more likely a district total typed into a
# school's row than a real school.
MAX_ENROLLED_PER_SCHOOL = 15_000

# Share of a district's lunch-serving schools expected in a participation batch that
# covers that district. Bureaus collect the canteen figures district by district; a file
# holding fewer than 80 % of a district's lunch-serving schools usually means sheets or
# schools were left out. A single school's daily ledger loaded alone also shows here:
# the warning is then expected and can be accepted.
MIN_REPORTING_SHARE = 0.80

# School holidays in which no regular school day falls, as (month, day) windows, both
# ends inclusive. Terms (docs/kpis.md#periods) cover the year, but teaching weeks do not:
# - winter break: the Spring Festival moves between 21 Jan and 20 Feb, and every
#   province's break covers 28 Jan - 10 Feb whichever year it is;
# - summer break: schools close in early-to-mid July and reopen in the last days of
#   August, so 16 Jul - 24 Aug is holiday everywhere.
# Summer-care services (暑期托管) in some cities do run in July and August: such rows
# are then reported as warnings, which the bureau can accept.
HOLIDAY_WINDOWS: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = (
    ((1, 28), (2, 10)),
    ((7, 16), (8, 24)),
)

# ISO weekdays (1 = Monday) on which schools teach. Official make-up working days
# (调休上班日, from schoolwh/core/holidays.py) count as school days too. Any other weekend row
# is a warning, not an error: a school may hold a make-up day of its own.
SCHOOL_WEEKDAYS = (1, 2, 3, 4, 5)

# No school anywhere has 100,000 pupils (the largest in the world have about 50,000; the
# Chinese "super schools" about 10,000). An enrolment, need or daily head count above this
# is not a school's figure but a typing accident (4.6e18, a pasted ID number): it blocks
# the publish (critical) instead of warning like MAX_ENROLLED_PER_SCHOOL.
ABSURD_HEADCOUNT = 100_000

# --- survey -----------------------------------------------------------------------------

# Scores run 1..5 (5 = 非常满意): the range is the contract's (Column.maximum,
# docs/contract.md#survey), checked as a contract rule.

# Mean overall satisfaction of a batch. Published school-lunch surveys report means of
# roughly 3.5 - 4.7; a batch mean below 2 usually means the scale was reversed (1 =
# very satisfied) or a different scale (e.g. 1-10) was typed into the 1-5 column.
SURVEY_MEAN_RANGE = (2.0, 5.0)

# --- money ------------------------------------------------------------------------------

# Spending of a district in a fiscal year may exceed the year's allocations a little
# (carry-over funds from the previous year, allocations not yet entered). More than 10 %
# above usually means a missing budget file, an amount in 元 typed into a 万元 column,
# or a voucher booked to the wrong district.
SPENDING_OVER_BUDGET_MARGIN = 0.10

# One allocation or one payment of 10 billion yuan (100 亿元) is beyond any school-lunch
# or after-school budget: a whole province spends less on the nutrition plan in a year. A
# row above it (either sign) is a unit or typing accident and blocks the publish.
ABSURD_AMOUNT = 1e10

# An allocation's document is normally issued in its fiscal year; advance allocations
# (提前下达) come in the autumn before it and late ones early in the next year.
MAX_ALLOCATION_YEAR_OFFSET = 1

# --- issues -----------------------------------------------------------------------------

# Rectification deadlines in the source documents run from days to a few months; an issue
# closed more than a year after it was found is usually a wrong year in a date.
MAX_DAYS_TO_CLOSE = 366

# --- supervision -----------------------------------------------------------------------

# A school lunch in the seeds costs 3-8 元 (the nutrition plan's subsidy is 5 元 a day);
# city schools charge up to about 15 元. A menu price outside 1-30 元 is most often a
# monthly fee typed into the per-meal column, or a price in 万元 or 角.
MENU_PRICE_RANGE = (1.0, 30.0)

# 两菜一水果加主食 asks for two hot dishes; a school lunch rarely has more than 6, a buffet
# of a large canteen 10. More than 12 dishes in one day is usually a week's menu on one row.
MAX_DISHES = 12

# A kitchen of the 互联网+明厨亮灶 platform connects 2-16 cameras (storeroom, cutting,
# cooking, dish-washing, serving); the largest central kitchens about 40. More than 64 is
# a district's total typed into a school's row.
MAX_CAMERAS_PER_SCHOOL = 64

# One delivery to one school: a large school's month of rice is some tens of thousands of
# 元. More than 500,000 元 is usually an amount in 元 typed into a 万元 column or a
# supplier's whole contract on one delivery line.
MAX_DELIVERY_AMOUNT = 500_000

# One training session in the seeds reaches up to a few hundred people (Huzhu: 6 sessions,
# 1,050 person-times); an online session for a whole city some thousands. More than 10,000
# person-times for one session is a year's total or a typing accident.
MAX_TRAINING_PERSON_TIMES = 10_000

# --- marts ------------------------------------------------------------------------------

# Share and demand-met KPIs divide an average daily head count by an enrolment or need
# count taken once a term, so they can exceed 1 slightly (see MAX_STUDENTS_PER_ENROLLED).
# Up to 1.2 is accepted silently; above it the value is shown but recorded as a warning.
SOFT_RATIO_MAX = 1.20

# Budget execution above 1 is over-spending: warned with the same margin as the batch
# check on spending against budget.
BUDGET_EXECUTION_MAX = 1.0 + SPENDING_OVER_BUDGET_MARGIN

# Tolerances for comparing floating-point KPI figures (value = numerator / denominator,
# overall = sum of districts): sums of many doubles differ in the last bits.
ABS_TOLERANCE = 1e-9
REL_TOLERANCE = 1e-6

# --- reporting --------------------------------------------------------------------------

# How many unexpected rows each check keeps as examples (audit.dq_results keeps 20).
EXAMPLES_PER_CHECK = 10
