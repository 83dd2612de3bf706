-- Every seed file finance edits has at least one row (a file with its header only would remove
-- every statement, or every cost, with the build green), unless the dbt var `allow_empty_seeds`
-- lists it: `aurora build --allow-empty-seed partner_attributions`. Returns each empty seed.
{%- set allowed = var('allow_empty_seeds', []) %}
{%- if allowed is string %}{% set allowed = [allowed] %}{% endif %}
with row_counts as (
    select
        'validators' as seed_name,
        count(*) as row_count
    from {{ ref('validators') }}
    union all
    select
        'validator_costs' as seed_name,
        count(*) as row_count
    from {{ ref('validator_costs') }}
    union all
    select
        'prices' as seed_name,
        count(*) as row_count
    from {{ ref('prices') }}
    union all
    select
        'partners' as seed_name,
        count(*) as row_count
    from {{ ref('partners') }}
    union all
    select
        'agreements' as seed_name,
        count(*) as row_count
    from {{ ref('agreements') }}
    union all
    select
        'agreement_versions' as seed_name,
        count(*) as row_count
    from {{ ref('agreement_versions') }}
    union all
    select
        'agreement_rules' as seed_name,
        count(*) as row_count
    from {{ ref('agreement_rules') }}
    union all
    select
        'partner_attributions' as seed_name,
        count(*) as row_count
    from {{ ref('partner_attributions') }}
),

empty_seeds as (
    select
        seed_name,
        'seeds/' || seed_name || '.csv' as seed_file,
        'the file has its header only: allow it with the dbt var allow_empty_seeds' as problem
    from row_counts
    where row_count = 0
),

final as (
    select * from empty_seeds
    where seed_name not in ({{ "'" ~ (allowed + ['']) | join("', '") ~ "'" }})
)

select * from final
