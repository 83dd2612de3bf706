{#- Which provider feeds a fact (methodology §1, config/chains.yaml `facts`): the registry model
    chain_provider_mappings lists, per chain and fact, the providers with a precedence (1 =
    preferred). A chain's intermediate models (intermediate/<chain>/) take, per fact and partition
    (e.g. per epoch), the rows of the delivering provider with the best precedence; a provider that
    delivered rows but is not mapped to the fact is ignored. Choosing per partition, not per row,
    means every figure of a period is what one provider reported for it.
    Plain SQL templating, nothing engine-specific. -#}

{#- A select of the rows of `relation` (a CTE or relation with a `provider` column) that are in
    scope (`where`, optional: a filter on its columns, applied before providers are ranked) and come,
    within each partition, from the delivering provider with the best precedence for `fact` of
    `chain` (ties, which the registry forbids, by provider id). It ranks the small set of distinct
    (partition, provider) pairs, never the rows themselves, so the join stays a cheap hash join on
    millions of rows. The in-scope -> preferred provider -> join pattern, written once. -#}
{% macro preferred_provider_rows(relation, fact, partition_by, chain, where=none) -%}
    {%- set cols = partition_by | list -%}
    {%- set scope = ('where ' ~ where) if where else '' -%}
    select in_scope.*
    from (
        select {{ relation }}.*
        from {{ relation }}
        {{ scope }}
    ) as in_scope
    inner join (
        select
            {%- for col in cols %}
            ranked.{{ col }},
            {%- endfor %}
            ranked.provider
        from (
            select
                {%- for col in cols %}
                delivered.{{ col }},
                {%- endfor %}
                delivered.provider,
                row_number() over (
                    {% if cols %}partition by {% for col in cols %}delivered.{{ col }}{{ ', ' if not loop.last }}{% endfor %}{% endif %}
                    order by mappings.precedence, delivered.provider
                ) as provider_rank
            from (
                select distinct
                    {%- for col in cols %}
                    {{ relation }}.{{ col }},
                    {%- endfor %}
                    {{ relation }}.provider
                from {{ relation }}
                {{ scope }}
            ) as delivered
            inner join {{ ref('chain_provider_mappings') }} as mappings
                on
                    mappings.chain = '{{ chain }}'
                    and mappings.fact = '{{ fact }}'
                    and delivered.provider = mappings.provider
        ) as ranked
        where ranked.provider_rank = 1
    ) as preferred
        on
            {%- for col in cols %}
            in_scope.{{ col }} = preferred.{{ col }}
            and
            {%- endfor %} in_scope.provider = preferred.provider
{%- endmacro %}
