-- Every column whose name carries a money or rate unit (methodology §1: _lamports, _gwei, _wei,
-- _native, _bps, _usd_micro, _usd_cents, _micro_usd) in any seed, model or raw table of the
-- warehouse must be an exact integer type: no float, no double, no decimal with a fractional scale.
-- Returns offenders.
{%- set float_types = ['double', 'double precision', 'float', 'float4', 'float8', 'real'] %}
with columns_in_warehouse as (
    select
        table_schema,
        table_name,
        column_name,
        lower(data_type) as data_type,
        numeric_scale
    from information_schema.columns
    where table_schema not in ('information_schema', 'pg_catalog')
),

unit_suffixes as (
    select '_lamports' as suffix
    union all
    select '_gwei' as suffix
    union all
    select '_wei' as suffix
    union all
    select '_native' as suffix
    union all
    select '_bps' as suffix
    union all
    select '_usd_micro' as suffix
    union all
    select '_usd_cents' as suffix
    union all
    select '_micro_usd' as suffix
),

money_columns as (
    select columns_in_warehouse.*
    from columns_in_warehouse
    inner join unit_suffixes
        on
            {{ dbt.right('lower(columns_in_warehouse.column_name)', 'length(unit_suffixes.suffix)') }}
            = unit_suffixes.suffix
),

final as (
    select *
    from money_columns
    where
        data_type in ({% for t in float_types %}'{{ t }}'{{ ', ' if not loop.last }}{% endfor %})
        or coalesce(numeric_scale, 0) > 0
)

select * from final
