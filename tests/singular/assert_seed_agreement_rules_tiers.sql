-- Tier bands of every tiered rule (seeds/agreement_rules.csv, methodology §5, §7): bands 1..n in
-- order of tier_lower, contiguous from 0 ([lower, upper) with each upper equal to the next lower),
-- the last upper null and only the last; one tier_mode (flat or marginal) and one rate per band. An
-- untiered rule has tier_index 0, tier_mode none and no bounds. Returns each offending band with
-- the reason.
with rules as (
    select * from {{ ref('agreement_rules') }}
),

tiered_rows as (
    select *
    from rules
    where tier_index > 0 or tier_mode <> 'none'
),

modes as (
    select
        rule_id,
        count(distinct tier_mode) as mode_count
    from tiered_rows
    group by 1
),

tiered as (
    select
        tiered_rows.rule_id,
        tiered_rows.tier_index,
        tiered_rows.tier_mode,
        tiered_rows.tier_lower,
        tiered_rows.tier_upper,
        tiered_rows.rate_bps,
        modes.mode_count,
        row_number() over (
            partition by tiered_rows.rule_id
            order by tiered_rows.tier_lower, tiered_rows.tier_index
        ) as band_order,
        count(*) over (partition by tiered_rows.rule_id) as band_count,
        lead(tiered_rows.tier_lower) over (
            partition by tiered_rows.rule_id
            order by tiered_rows.tier_lower, tiered_rows.tier_index
        ) as next_lower
    from tiered_rows
    inner join modes
        on tiered_rows.rule_id = modes.rule_id
),

tier_problems as (
    select
        rule_id,
        tier_index,
        case
            when tier_mode not in ('flat', 'marginal') then 'a band needs tier_mode flat or marginal'
            when mode_count > 1 then 'the bands of one rule mix tier modes'
            when tier_index <> band_order then 'tier_index is not 1..n in order of tier_lower'
            when tier_lower is null then 'tier_lower is missing'
            when band_order = 1 and tier_lower <> 0 then 'the first band does not start at 0'
            when band_order = band_count and tier_upper is not null then 'the last band has an upper bound (must be null)'
            when band_order < band_count and tier_upper is null then 'only the last band may be open'
            when band_order < band_count and tier_upper <> next_lower then 'bands are not contiguous'
            when tier_upper is not null and tier_upper <= tier_lower then 'tier_upper is not above tier_lower'
            when rate_bps is null then 'a band needs rate_bps'
        end as problem
    from tiered
),

untiered_problems as (
    select
        rule_id,
        tier_index,
        'an untiered rule has tier_index 0, tier_mode none and no bounds' as problem
    from rules
    where
        tier_mode = 'none'
        and (tier_index <> 0 or tier_lower is not null or tier_upper is not null)
),

final as (
    select * from tier_problems
    where problem is not null
    union all
    select * from untiered_problems
)

select * from final
