{#- Fails when the newest value of `field` is older than `interval` `datepart`s before now (or the
    model is empty). A monitoring test: it reads the clock, so it never feeds a number. -#}
{% test recency(model, field, datepart, interval) %}
with newest as (
    select max({{ field }}) as most_recent from {{ model }}
)

select most_recent
from newest
where
    most_recent is null
    or most_recent < {{ dbt.dateadd(datepart, 0 - interval, dbt.current_timestamp()) }}
{% endtest %}
