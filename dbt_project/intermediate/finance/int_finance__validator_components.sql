-- The validator's figures per closed period and revenue component (methodology §4): the operator's
-- revenue (inflation commission, block fees, MEV commission) and the gross the validator's stake
-- earned (the canonical contracts' gross figures, carried by int_finance__validator_pnl), one row
-- per component, for every chain alike. The commission bases share both out by the agreements' weights.

with validator_pnl as (
    select * from {{ ref('int_finance__validator_pnl') }}
),

components as (
    {%- for component, revenue in [
        ('inflation', 'inflation_commission'), ('block_fees', 'block_fees'), ('mev', 'mev_commission')
    ] %}
        select
            validator_pnl.chain,
            validator_pnl.validator_id,
            validator_pnl.period_id,
            '{{ component }}' as component,
            {{ aurora.to_money('coalesce(validator_pnl.' ~ revenue ~ '_native, 0)') }} as revenue_native,
            {{ aurora.to_money('coalesce(validator_pnl.' ~ component ~ '_gross_native, 0)') }} as gross_native
        from validator_pnl
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        cast(components.chain as {{ dbt.type_string() }}) as chain,
        cast(components.validator_id as {{ dbt.type_string() }}) as validator_id,
        cast(components.period_id as {{ dbt.type_string() }}) as period_id,
        cast(components.component as {{ dbt.type_string() }}) as component,
        components.revenue_native,
        components.gross_native
    from components
)

select * from final
