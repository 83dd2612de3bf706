-- The identity each validator ran under, per period (methodology §3). The union over the chains of
-- int_<chain>__validator_identities, restating the periods that new loads touched
-- (macros/incremental_periods.sql).
{{ aurora.canonical_periods_union('validator_identities') }}
