with source as (
    select * from {{ source('registry', 'chains') }}
),

final as (
    select
        cast(chain as {{ dbt.type_string() }}) as chain,
        cast(native_asset as {{ dbt.type_string() }}) as native_asset,
        cast(decimals as integer) as decimals,
        cast(period_kind as {{ dbt.type_string() }}) as period_kind
    from source
)

select * from final
