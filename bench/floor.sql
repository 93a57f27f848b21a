-- The floor of a load: plain DuckDB reads the benchmark's clean CSV files into tables
-- (explicit column types and date format, no checks, no history, no publish) and one
-- query computes the term KPIs of docs/kpis.md by district and for the whole
-- jurisdiction. bench/run.py times this file and compares a full `schoolwh load` with it.
-- `{csv_dir}` is replaced by the folder of the CSV files (a quoted SQL string).
-- Statements are separated by a line holding only `-- ;`.

create or replace table districts as
select * from read_csv({csv_dir} || '/districts.csv', header = true, columns = {
    'district_code': 'VARCHAR', 'district_name': 'VARCHAR', 'district_kind': 'VARCHAR'
});
-- ;
create or replace table schools as
select * from read_csv({csv_dir} || '/schools.csv', header = true, dateformat = '%Y-%m-%d',
    columns = {
        'school_code': 'VARCHAR', 'school_name': 'VARCHAR', 'district_code': 'VARCHAR',
        'stage': 'VARCHAR', 'ownership': 'VARCHAR', 'location': 'VARCHAR',
        'lunch_mode': 'VARCHAR', 'lunch_start_date': 'DATE', 'has_after_school': 'BOOLEAN',
        'after_school_start_date': 'DATE', 'nutrition_plan': 'BOOLEAN', 'active': 'BOOLEAN'
    });
-- ;
create or replace table enrollment as
select * from read_csv({csv_dir} || '/enrollment.csv', header = true, columns = {
    'school_code': 'VARCHAR', 'term': 'VARCHAR', 'enrolled': 'BIGINT', 'lunch_need': 'BIGINT',
    'after_school_need': 'BIGINT', 'left_behind': 'BIGINT', 'migrant': 'BIGINT',
    'disabled': 'BIGINT'
});
-- ;
create or replace table participation as
select * from read_csv({csv_dir} || '/participation_*.csv', header = true,
    dateformat = '%Y-%m-%d', columns = {
        'school_code': 'VARCHAR', 'date': 'DATE', 'lunch_students': 'BIGINT',
        'after_school_students': 'BIGINT'
    });
-- ;
create or replace table budget as
select * from read_csv({csv_dir} || '/budget.csv', header = true, dateformat = '%Y-%m-%d',
    columns = {
        'budget_id': 'VARCHAR', 'fiscal_year': 'INTEGER', 'district_code': 'VARCHAR',
        'school_code': 'VARCHAR', 'program': 'VARCHAR', 'funding_source': 'VARCHAR',
        'amount': 'DECIMAL(18,2)', 'allocated_date': 'DATE'
    });
-- ;
create or replace table expenditure as
select * from read_csv({csv_dir} || '/expenditure.csv', header = true, dateformat = '%Y-%m-%d',
    columns = {
        'expenditure_id': 'VARCHAR', 'date': 'DATE', 'district_code': 'VARCHAR',
        'school_code': 'VARCHAR', 'program': 'VARCHAR', 'category': 'VARCHAR',
        'amount': 'DECIMAL(18,2)'
    });
-- ;
create or replace table survey as
select * from read_csv({csv_dir} || '/survey.csv', header = true, dateformat = '%Y-%m-%d',
    columns = {
        'response_id': 'VARCHAR', 'school_code': 'VARCHAR', 'date': 'DATE',
        'respondent': 'VARCHAR', 'overall': 'INTEGER', 'taste': 'INTEGER', 'portion': 'INTEGER',
        'hygiene': 'INTEGER', 'price': 'INTEGER', 'service': 'INTEGER', 'comment': 'VARCHAR'
    });
-- ;
create or replace table issues as
select * from read_csv({csv_dir} || '/issues.csv', header = true, dateformat = '%Y-%m-%d',
    columns = {
        'issue_id': 'VARCHAR', 'school_code': 'VARCHAR', 'found_date': 'DATE',
        'source': 'VARCHAR', 'category': 'VARCHAR', 'severity': 'VARCHAR', 'deadline': 'DATE',
        'status': 'VARCHAR', 'closed_date': 'DATE', 'description': 'VARCHAR'
    });
-- ;
-- The term KPIs, one row per (district or the whole jurisdiction) x KPI x term.
create or replace table term_kpis as
with
active as (
    select * from schools where active
),

as_of as (
    select max(d) as as_of_date from (
        select max(date) as d from participation
        union all select max(date) from expenditure
        union all select max(date) from survey
        union all select max(greatest(found_date, coalesce(closed_date, found_date))) from issues
    )
),

days as (
    select
        p.school_code,
        s.district_code,
        p.date,
        p.lunch_students,
        p.after_school_students,
        case
            when month(p.date) >= 9 then year(p.date) || '-autumn'
            when month(p.date) = 1 then (year(p.date) - 1) || '-autumn'
            else year(p.date) || '-spring'
        end as term
    from participation as p
    inner join active as s using (school_code)
),

participation_terms as (
    select distinct term from days
),

coverage_terms as (
    select term from participation_terms
    union
    select e.term from enrollment as e inner join active using (school_code)
),

term_ends as (
    select
        term,
        case
            when term like '%-autumn' then make_date(cast(left(term, 4) as integer) + 1, 1, 31)
            else make_date(cast(left(term, 4) as integer), 8, 31)
        end as term_end
    from coverage_terms
),

per_school as (
    select
        school_code,
        term,
        count(*) as days_reported,
        sum(lunch_students) / count(*) as avg_lunch,
        sum(after_school_students) / nullif(count(after_school_students), 0) as avg_after_school
    from days
    group by all
),

serving_days as (
    select district_code, term, count(distinct date) as serving_days
    from days
    group by all
),

school_terms as (
    select
        s.district_code,
        t.term,
        coalesce(s.lunch_mode <> 'none' and s.lunch_start_date <= t.term_end, false)
            as lunch_serving,
        e.school_code is not null as enrolled_row,
        e.enrolled,
        e.lunch_need,
        e.after_school_need,
        coalesce(p.days_reported, 0) as days_reported,
        coalesce(p.avg_lunch, 0) as avg_lunch,
        coalesce(p.avg_after_school, 0) as avg_after_school,
        coalesce(d.serving_days, 0) as serving_days
    from active as s
    cross join participation_terms as pt
    inner join term_ends as t on t.term = pt.term
    left join enrollment as e on e.school_code = s.school_code and e.term = t.term
    left join per_school as p on p.school_code = s.school_code and p.term = t.term
    left join serving_days as d on d.district_code = s.district_code and d.term = t.term
),

participation_kpis as (
    select
        district_code,
        term,
        sum(case when enrolled_row then avg_lunch end) as eating_num,
        sum(case when enrolled_row then enrolled end) as enrolled_den,
        sum(case when lunch_need > 0 then avg_lunch end) as lunch_need_num,
        sum(case when lunch_need > 0 then lunch_need end) as lunch_need_den,
        sum(case when enrolled_row then avg_after_school end) as after_school_num,
        sum(case when after_school_need > 0 then avg_after_school end) as as_need_num,
        sum(case when after_school_need > 0 then after_school_need end) as as_need_den,
        sum(case when lunch_serving then days_reported end) as reported_days,
        sum(case when lunch_serving then serving_days end) as expected_days
    from school_terms
    group by grouping sets ((district_code, term), (term))
),

coverage_kpis as (
    select
        s.district_code,
        t.term,
        count(*) filter (where s.lunch_mode <> 'none' and s.lunch_start_date <= t.term_end)
            as lunch_serving,
        count(*) filter (
            where s.has_after_school
            and (s.after_school_start_date is null or s.after_school_start_date <= t.term_end)
        ) as after_school_serving,
        count(*) as schools
    from active as s
    cross join term_ends as t
    group by grouping sets ((s.district_code, t.term), (t.term))
),

survey_kpis as (
    select
        s.district_code,
        case
            when month(v.date) >= 9 then year(v.date) || '-autumn'
            when month(v.date) = 1 then (year(v.date) - 1) || '-autumn'
            else year(v.date) || '-spring'
        end as term,
        count(*) filter (where v.overall >= 4) as satisfied,
        count(*) as responses
    from survey as v
    inner join active as s using (school_code)
    group by grouping sets ((s.district_code, term), (term))
),

issue_kpis as (
    select
        s.district_code,
        case
            when month(i.found_date) >= 9 then year(i.found_date) || '-autumn'
            when month(i.found_date) = 1 then (year(i.found_date) - 1) || '-autumn'
            else year(i.found_date) || '-spring'
        end as term,
        count(*) filter (where i.status = 'closed') as closed,
        count(*) as found,
        count(*) filter (where i.status = 'closed' and i.closed_date <= i.deadline) as on_time,
        count(*) filter (
            where i.deadline is not null
            and (i.status = 'closed' or i.deadline < (select as_of_date from as_of))
        ) as due,
        median(case when i.status = 'closed' then i.closed_date - i.found_date end) as median_days
    from issues as i
    inner join active as s using (school_code)
    group by grouping sets ((s.district_code, term), (term))
),

long as (
    select district_code, term, 'lunch_coverage' as kpi, lunch_serving as num, schools as den
    from coverage_kpis
    union all
    select district_code, term, 'after_school_coverage', after_school_serving, schools
    from coverage_kpis
    union all
    select district_code, term, 'eating_share', eating_num, enrolled_den from participation_kpis
    union all
    select district_code, term, 'lunch_demand_met', lunch_need_num, lunch_need_den
    from participation_kpis
    union all
    select district_code, term, 'after_school_share', after_school_num, enrolled_den
    from participation_kpis
    union all
    select district_code, term, 'after_school_demand_met', as_need_num, as_need_den
    from participation_kpis
    union all
    select district_code, term, 'reporting_completeness', reported_days, expected_days
    from participation_kpis
    union all
    select district_code, term, 'satisfaction_rate', satisfied, responses from survey_kpis
    union all
    select district_code, term, 'issue_closure_rate', closed, found from issue_kpis
    union all
    select district_code, term, 'issue_on_time_rate', on_time, due from issue_kpis
    union all
    select district_code, term, 'median_days_to_close', median_days, null from issue_kpis
)

select
    district_code,
    term,
    kpi,
    cast(num as double) as numerator,
    cast(den as double) as denominator,
    case
        when kpi = 'median_days_to_close' then cast(num as double)
        else cast(num as double) / nullif(cast(den as double), 0)
    end as value
from long
