-- Attribution keys are unambiguous per precedence (methodology §4, §7): two agreements whose keys
-- match one stake account at the same precedence on one period date is a data error. Returns the
-- stake account, the period and both (all) agreements with their attribution rows.
with key_matches as (
    select * from {{ ref('int_commission_key_matches') }}
),

final as (
    select
        chain,
        validator_id,
        period_id,
        period_date,
        stake_account,
        key_type,
        count(*) as agreement_count,
        {{ aurora.ordered_string_agg('agreement_id', "', '") }} as agreement_ids,
        {{ aurora.ordered_string_agg('attribution_ids', "', '") }} as attribution_ids
    from key_matches
    group by 1, 2, 3, 4, 5, 6
    having count(*) > 1
)

select * from final
