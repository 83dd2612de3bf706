-- Per validator and period (methodology §3): MEV and the operator's MEV commission. The union over
-- the chains of int_<chain>__validator_mev, restating the periods that new loads touched
-- (macros/incremental_periods.sql).
{{ aurora.canonical_periods_union('validator_mev') }}
