-- Attribution keys are unambiguous per precedence (methodology §4, §7): two agreements whose keys match
-- one stake unit (Solana: a stake account) at the same precedence on one period date is a data
-- error. Returns the stake unit, the period and both (all) agreements with their attribution rows.
with key_matches as (
    select * from {{ ref('int_finance__stake_key_matches') }}
),

final as (
    select
        chain,
        validator_id,
        period_id,
        period_date,
        stake_unit_id,
        key_type,
        count(*) as agreement_count,
        {{ aurora.ordered_string_agg('agreement_id', "', '") }} as agreement_ids,
        {{ aurora.ordered_string_agg('attribution_ids', "', '") }} as attribution_ids
    from key_matches
    group by 1, 2, 3, 4, 5, 6
    having count(*) > 1
)

select * from final
