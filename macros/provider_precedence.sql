{#- Which provider feeds a fact (methodology §1, config/chains.yaml `facts`): the registry model
    chain_provider_mappings lists, per chain and fact, the providers with a precedence (1 =
    preferred). Canonical models take, per fact and key, the rows of the delivering provider with
    the best precedence; a provider that delivered rows but is not mapped to the fact is ignored.
    Plain SQL templating, nothing engine-specific. -#}

{#- A select of (<partition_by columns>, provider): within each partition of `relation` (a CTE
    or relation with a `provider` column), the delivering provider with the best precedence for
    `fact` (ties, which the registry forbids, by provider id). Callers inner-join their rows to it.
    It ranks the small set of distinct (partition, provider) pairs, never the rows themselves, so
    the join stays a cheap hash join on millions of rows. -#}
{% macro preferred_providers(relation, fact, partition_by, chain='solana') -%}
    {%- set cols = partition_by | list -%}
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
        ) as delivered
        inner join {{ ref('chain_provider_mappings') }} as mappings
            on
                mappings.chain = '{{ chain }}'
                and mappings.fact = '{{ fact }}'
                and delivered.provider = mappings.provider
    ) as ranked
    where ranked.provider_rank = 1
{%- endmacro %}

{#- A select of one row, one column `provider_mappings_sha256`: the SHA-256 of the chain's provider
    mappings (fact=provider#precedence, byte order). Canonical rows store it, so an incremental
    build notices a precedence switch in config/ and restates every period. -#}
{% macro provider_mappings_fingerprint(chain='solana') -%}
    select
        coalesce(
            {{ aurora.sha256_hex(aurora.ordered_string_agg(
                "mappings.fact || '=' || mappings.provider || '#' || cast(mappings.precedence as " ~ dbt.type_string() ~ ")",
                "'|'"
            )) }},
            ''
        ) as provider_mappings_sha256
    from {{ ref('chain_provider_mappings') }} as mappings
    where mappings.chain = '{{ chain }}'
{%- endmacro %}
