with source as (
    select * from {{ source('registry', 'providers') }}
),

final as (
    select
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(kind as {{ dbt.type_string() }}) as provider_kind,
        cast(chain as {{ dbt.type_string() }}) as chain,
        cast(base_url as {{ dbt.type_string() }}) as base_url,
        cast(max_concurrency as integer) as max_concurrency
    from source
)

select * from final
