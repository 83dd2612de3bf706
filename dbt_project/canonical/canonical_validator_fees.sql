-- Per validator and period (methodology §3): block fees and vote fees. The union over the chains of
-- int_<chain>__validator_fees, restating the periods that new loads touched
-- (macros/incremental_periods.sql).
{{ aurora.canonical_periods_union('validator_fees') }}
