{#- Incremental builds of the canonical layer (methodology §7). A canonical model restates the
    periods that loads completed since its last build touched. The watermark is the newest
    load-completion time (`_dlt_loads.inserted_at`, carried as `_dlt_loaded_at`) among the rows the
    model holds: a load that completed after the previous build is necessarily newer. A model also
    restates every period when the provider mappings changed (its rows store the mappings'
    fingerprint).

    Returns a select of one row: `loaded_after` (timestamptz: rows of loads completed after it are
    new) and `is_remapped` (boolean: restate everything). On a full build (or a first build),
    `is_remapped` is true, so the same SQL selects every period. `fingerprint` is the name of a CTE
    from aurora.provider_mappings_fingerprint(). -#}
{% macro incremental_load_state(fingerprint) -%}
    {%- if is_incremental() %}
    select
        coalesce(
            max(existing._dlt_loaded_at),
            cast('1970-01-01 00:00:00+00' as timestamp with time zone)
        ) as loaded_after,
        coalesce(
            max(
                case
                    when existing.provider_mappings_sha256 = {{ fingerprint }}.provider_mappings_sha256
                        then 0
                    else 1
                end
            ),
            0
        ) = 1 as is_remapped
    from {{ this }} as existing
    cross join {{ fingerprint }}
    {%- else %}
    select
        cast('1970-01-01 00:00:00+00' as timestamp with time zone) as loaded_after,
        true as is_remapped
    {%- endif %}
{%- endmacro %}
