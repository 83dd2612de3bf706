-- For every validator, epoch and component, the sum of all agreements' operator_commission bases is
-- at most the validator's revenue of that component (methodology §7): attribution never hands out
-- more than the operator earned. Returns the validator-epoch-components that exceed it.
with bases as (
    select * from {{ ref('partner_commission_bases') }}
),

final as (
    select
        chain,
        validator_id,
        period_id,
        component,
        max(validator_component_native) as validator_component_native,
        sum(operator_commission_basis_native) as sum_of_bases_native,
        {{ aurora.ordered_string_agg('agreement_id', "', '") }} as agreement_ids
    from bases
    group by 1, 2, 3, 4
    having sum(operator_commission_basis_native) > max(validator_component_native)
)

select * from final
