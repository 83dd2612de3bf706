-- Each rule row fits its rule type (seeds/agreement_rules.csv, methodology §5):
--   pct_commission, pct_gross: rate_bps set, no amount;
--   fixed_fee, minimum, cap: component all, untiered, amount and amount_unit set, no rate;
-- and a rule_id belongs to one agreement version, with one rule type, component and seq.
-- Returns each offending row with the reason.
with rules as (
    select * from {{ ref('agreement_rules') }}
),

row_problems as (
    select
        rule_id,
        tier_index,
        case
            when rule_type in ('pct_commission', 'pct_gross') and rate_bps is null
                then 'a pct rule needs rate_bps'
            when rule_type in ('pct_commission', 'pct_gross') and (amount is not null or amount_unit is not null)
                then 'a pct rule has no amount'
            when rule_type in ('fixed_fee', 'minimum', 'cap') and component <> 'all'
                then 'a per-statement rule has component all'
            when rule_type in ('fixed_fee', 'minimum', 'cap') and (tier_index <> 0 or tier_mode <> 'none')
                then 'a per-statement rule is untiered'
            when rule_type in ('fixed_fee', 'minimum', 'cap') and (amount is null or amount_unit is null)
                then 'a per-statement rule needs amount and amount_unit'
            when rule_type in ('fixed_fee', 'minimum', 'cap') and rate_bps is not null
                then 'a per-statement rule has no rate'
        end as problem
    from rules
),

rule_problems as (
    select
        rule_id,
        cast(null as integer) as tier_index,
        'a rule_id belongs to one agreement version, with one rule_type, component and seq' as problem
    from rules
    group by 1
    having
        count(distinct agreement_id) > 1
        or count(distinct version) > 1
        or count(distinct rule_type) > 1
        or count(distinct component) > 1
        or count(distinct seq) > 1
),

final as (
    select * from row_problems
    where problem is not null
    union all
    select * from rule_problems
)

select * from final
