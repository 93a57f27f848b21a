{#
    Food deliveries with their school's district, the periods of their date and their
    supplier as the registry has it (docs/kpis.md#supervision):
      supplier_known    the supplier_id is in the supplier registry
      certified_active  the supplier is certified (HACCP / ISO22000) and was active on the
                        delivery date: admitted_date <= date and (no exited_date or
                        date < exited_date). A supplier not in the registry counts as not
                        certified (and is listed in dq_orphan_facts).
    Rows of schools outside the active registry are kept, flagged, for the orphan
    listing; the KPIs and the published fact read only in-scope rows.
#}

with

facts as (

    select * from {{ ref('stg_deliveries') }}

),

schools as (

    select
        school_code,
        district_code,
        active
    from {{ ref('stg_schools') }}

),

suppliers as (

    select
        supplier_id,
        certified,
        admitted_date,
        exited_date
    from {{ ref('stg_suppliers') }}

),

final as (

    select
        facts.delivery_id,
        facts.school_code,
        schools.district_code,
        facts.delivery_date,
        {{ format_month('facts.delivery_date') }} as month,
        {{ term_of_date('facts.delivery_date') }} as term,
        {{ format_year('facts.delivery_date') }} as year,
        facts.supplier_id,
        facts.category,
        facts.is_bulk,
        facts.unified,
        facts.amount,
        facts.inspected,
        suppliers.supplier_id is not null as supplier_known,
        coalesce(
            suppliers.certified
            and suppliers.admitted_date <= facts.delivery_date
            and (suppliers.exited_date is null or facts.delivery_date < suppliers.exited_date),
            false
        ) as certified_active,
        coalesce(schools.active, false) as is_in_scope,
        {{ school_scope_exclusion('schools.school_code', 'schools.active') }} as scope_exclusion_reason
    from facts
    left join suppliers
        on facts.supplier_id = suppliers.supplier_id
    left join schools
        on facts.school_code = schools.school_code

)

select * from final
