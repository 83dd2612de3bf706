-- One row per chain and reward period (methodology §2): its span, its period date and whether it is
-- closed. The union over the chains of int_<chain>__periods, restating on each build the periods
-- that new loads touched (macros/incremental_periods.sql).
{{ aurora.canonical_periods_union('periods') }}
