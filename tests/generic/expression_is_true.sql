{#- Rows for which the expression is not true (dbt_utils' expression_is_true, written in-project). -#}
{% test expression_is_true(model, expression, column_name=None) %}
select *
from {{ model }}
where not ({% if column_name %}{{ column_name }} {% endif %}{{ expression }})
{% endtest %}
