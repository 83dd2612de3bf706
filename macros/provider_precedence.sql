{#- Which provider feeds a fact (DOMAIN §1, config/chains.yaml `facts`): the registry model
    chain_provider_mappings lists, per chain and fact, the providers with a precedence (1 =
    preferred). Canonical models take, per fact and key, the rows of the delivering provider with
    the best precedence; a provider that delivered rows but is not mapped to the fact is ignored.
    Plain SQL templating, nothing engine-specific. -#}

{#- A select of every row of `relation` (a CTE or relation with a `provider` column) delivered by
    a provider mapped to `fact`, with `provider_rank`: 1 for the rows of the best-precedence
    provider within each partition (ties, which the registry forbids, by provider id). Callers keep
    `provider_rank = 1`. (A window rank rather than a join to a list of chosen providers: PostgreSQL
    estimates the latter at one row and picks quadratic nested loops on fresh, unanalysed tables.) -#}
{% macro rank_providers(relation, fact, partition_by, chain='solana') -%}
    {%- set cols = partition_by | list -%}
    select
        {{ relation }}.*,
        dense_rank() over (
            {% if cols %}partition by {% for col in cols %}{{ relation }}.{{ col }}{{ ', ' if not loop.last }}{% endfor %}{% endif %}
            order by mappings.precedence, {{ relation }}.provider
        ) as provider_rank
    from {{ relation }}
    inner join {{ ref('chain_provider_mappings') }} as mappings
        on
            mappings.chain = '{{ chain }}'
            and mappings.fact = '{{ fact }}'
            and {{ relation }}.provider = mappings.provider
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
