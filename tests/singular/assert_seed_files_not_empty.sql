-- Every seed file finance edits has at least one row (a file with its header only would remove
-- every statement, or every cost, with the build green), unless the dbt var `allow_empty_seeds`
-- lists it: `aurora build --allow-empty-seed partner_attributions`. Returns each empty seed.
{%- set seeds = [
    'validators', 'validator_costs', 'prices', 'partners', 'agreements',
    'agreement_versions', 'agreement_rules', 'partner_attributions'
] %}
{%- set allowed = var('allow_empty_seeds', []) %}
with row_counts as (
    {%- for seed in seeds %}
    select
        '{{ seed }}' as seed_name,
        'seeds/{{ seed }}.csv' as seed_file,
        count(*) as row_count
    from {{ ref(seed) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        seed_name,
        seed_file,
        'the file has its header only: list it in the dbt var allow_empty_seeds if it is meant to be empty' as problem
    from row_counts
    where
        row_count = 0
        {%- if allowed %}
        and seed_name not in ({% for name in allowed %}'{{ name }}'{% if not loop.last %}, {% endif %}{% endfor %})
        {%- endif %}
)

select * from final
