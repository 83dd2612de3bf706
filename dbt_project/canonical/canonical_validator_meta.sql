-- Per validator and period (methodology §3): commission rates, active stake and the inflation
-- commission the operator earned. The union over the chains of int_<chain>__validator_meta,
-- restating the periods that new loads touched (macros/incremental_periods.sql).
{{ aurora.canonical_periods_union('validator_meta') }}
