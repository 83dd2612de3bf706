-- Per validator, period and stake unit (methodology §4): the stake attributed to partners. The
-- union over the chains of int_<chain>__stake_rewards, restating the periods that new loads touched
-- (macros/incremental_periods.sql).
{{ aurora.canonical_periods_union('stake_rewards') }}
