{#- Where providers disagree, for every chain the project builds (dbt var `aurora_chains`): the union
    of each chain's int_<chain>__provider_discrepancies. Rebuilt whole on every build; a warning
    test lists the rows. -#}

with unioned as (
    {{- aurora.chain_union('provider_discrepancies') }}
),

final as (
    select * from unioned
)

select * from final
