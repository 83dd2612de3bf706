with source as (
    select * from {{ source('registry', 'chain_provider_mappings') }}
),

final as (
    select
        cast(chain as {{ dbt.type_string() }}) as chain,
        cast(fact as {{ dbt.type_string() }}) as fact,
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(precedence as integer) as precedence
    from source
)

select * from final
