{#- Ranges [lower, upper) within a partition that overlap, are empty, or break the gap rule.
    A null upper bound means "open" (no end); only the last range of a partition may be open.
    gaps: 'allowed' (default), 'not_allowed' (each range starts where the previous ends) or
    'required'. -#}
{% test mutually_exclusive_ranges(model, lower_bound_column, upper_bound_column, partition_by=none, gaps='allowed', zero_length_range_allowed=false) %}
{%- set partition_clause = 'partition by ' ~ partition_by if partition_by else '' -%}
{%- if gaps == 'not_allowed' -%}
    {%- set gap_op = '=' -%}
{%- elif gaps == 'required' -%}
    {%- set gap_op = '<' -%}
{%- else -%}
    {%- set gap_op = '<=' -%}
{%- endif -%}
with ordered as (
    select
        {{ partition_by ~ ',' if partition_by }}
        {{ lower_bound_column }} as lower_bound,
        {{ upper_bound_column }} as upper_bound,
        lead({{ lower_bound_column }}) over (
            {{ partition_clause }}
            order by {{ lower_bound_column }}, {{ upper_bound_column }}
        ) as next_lower_bound,
        row_number() over (
            {{ partition_clause }}
            order by {{ lower_bound_column }} desc, {{ upper_bound_column }} desc
        ) as rank_from_last
    from {{ model }}
),

checks as (
    select
        *,
        case
            when upper_bound is null then true
            when lower_bound {{ '<=' if zero_length_range_allowed else '<' }} upper_bound then true
            else false
        end as lower_below_upper,
        case
            when next_lower_bound is null then true
            when upper_bound is null then false
            when upper_bound {{ gap_op }} next_lower_bound then true
            else false
        end as fits_next
    from ordered
)

select *
from checks
where not (lower_below_upper and fits_next)
{% endtest %}
