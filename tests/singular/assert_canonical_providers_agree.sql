{{ config(severity='warn') }}
-- Warns when two providers delivered different values for the same fact and key
-- (provider_discrepancies): canonical models use the preferred provider's value, but someone
-- should look. Lists the discrepancies.
select *
from {{ ref('provider_discrepancies') }}
