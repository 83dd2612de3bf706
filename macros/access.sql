{#-
  Access control on PostgreSQL (methodology §10; README "Access control"): dbt's side. Every macro here
  is a no-op on DuckDB (one file: its file permissions are its access control).

  - aurora_role(kind): the name of a group role, var('aurora_role_prefix') ~ 'aurora_' ~ kind.
  - apply_grants (dbt's dispatched macro): the `grants` configs of dbt_project.yml, granted only to
    the roles that exist. A warehouse built before `aurora access apply` (the single development
    role of `aurora demo`) builds as before; the first build after it grants.
  - grant_schema_usage() (post-hook of every model and seed): USAGE on the relation's schema to the
    roles its `select` grants name; a schema none of whose relations is granted stays its owner's.
  - partner_row_security() (post-hook of the partner marts): row-level security from the
    operator's seeds/partner_access.csv, recreated with each build of the table, inside the
    transaction that builds it (no moment without it).
-#}

{% macro aurora_role(kind) -%}
    {{- return(var('aurora_role_prefix', '') ~ 'aurora_' ~ kind) -}}
{%- endmacro %}


{#- The names among `names` that are roles of the server. -#}
{% macro existing_roles(names) %}
    {%- if not names -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        select rolname from pg_catalog.pg_roles
        where rolname in ({%- for name in names -%}
            '{{ name | replace("'", "''") }}'{{ ", " if not loop.last }}
        {%- endfor -%})
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{% endmacro %}


{#- The grantees of a grants config, as a list whatever its form ('role' or ['role', ...]). -#}
{% macro _grantees(names) %}
    {{ return([names] if names is string else (names or []) | list) }}
{% endmacro %}


{% macro postgres__apply_grants(relation, grant_config, should_revoke=True) %}
    {%- if grant_config -%}
        {%- set wanted = [] -%}
        {%- for privilege, names in grant_config.items() -%}
            {%- do wanted.extend(aurora._grantees(names)) -%}
        {%- endfor -%}
        {%- set existing = aurora.existing_roles(wanted | unique | list) -%}
        {%- set granted = {} -%}
        {%- for privilege, names in grant_config.items() -%}
            {%- do granted.update({privilege: aurora._grantees(names) | select('in', existing) | list}) -%}
        {%- endfor -%}
        {%- if (wanted | unique | list | length) > (existing | length) -%}
            {%- do log('grants on ' ~ relation ~ ': roles not created yet skipped (`aurora access apply`): '
                ~ (wanted | reject('in', existing) | unique | join(', '))) -%}
        {%- endif -%}
        {%- do dbt.default__apply_grants(relation, granted, should_revoke) -%}
    {%- endif -%}
{% endmacro %}


{#- DuckDB has no roles: grants configs are PostgreSQL's (dbt-duckdb would warn on each build). -#}
{% macro duckdb__apply_grants(relation, grant_config, should_revoke=True) %}
{% endmacro %}


{% macro grant_schema_usage() %}
    {{- return(adapter.dispatch('grant_schema_usage', 'aurora')()) -}}
{% endmacro %}

{% macro default__grant_schema_usage() %}
{% endmacro %}

{#- A post-hook of every model and seed (not on-run-end: dbt would list it among the results).
    Grants on one schema from concurrent builds are serialised (advisory lock): PostgreSQL refuses
    two concurrent updates of one catalog row. -#}
{% macro postgres__grant_schema_usage() %}
    {%- if execute -%}
        {%- set names = aurora._grantees((config.get('grants') or {}).get('select')) | unique | list -%}
        {%- set grantees = aurora.existing_roles(names) if names else [] -%}
        {%- if grantees %}
select pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('aurora.access'));
grant usage on schema {{ adapter.quote(this.schema) }} to
            {%- for grantee in grantees %} {{ adapter.quote(grantee) }}{{ "," if not loop.last }}{% endfor %};
        {%- endif -%}
    {%- endif -%}
{% endmacro %}


{% macro partner_row_security() %}
    {{- return(adapter.dispatch('partner_row_security', 'aurora')()) -}}
{% endmacro %}

{% macro default__partner_row_security() %}
{% endmacro %}

{#-
  A row of a partner table (a partner_id column) is visible to a role that may select the table:
  - in full to every role that is not a partner: not a member (with its privileges) of
    aurora_partner, or when that role does not exist yet;
  - to a partner role, when seeds/partner_access.csv maps the row's partner_id to a db_role it is a
    member of (pg_has_role(current_user, db_role, 'member')).
  The policy calls one function (SECURITY DEFINER: a partner reads the mapping through it, never
  the seed itself), which answers for its caller only (session_user may act as p_role), and reaches
  roles through pg_roles: a role not created yet matches no row, never an error. The table's owner
  (the transformer) bypasses row-level security, as every owner does; superusers too.
  Concurrent builds of the partner tables replace the function one at a time (advisory lock).
-#}
{% macro postgres__partner_row_security() %}
    {%- set admits = adapter.quote(this.schema) ~ '.aurora_partner_admits' -%}
select pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('aurora.access'));

create or replace function {{ admits }}(p_partner_id text, p_role name)
returns boolean
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $aurora_partner_admits$
    select
        pg_catalog.pg_has_role(session_user, p_role, 'MEMBER')
        and (
            not exists (
                select 1
                from pg_catalog.pg_roles as partner_group
                where partner_group.rolname = '{{ aurora.aurora_role("partner") }}'
                    and pg_catalog.pg_has_role(p_role, partner_group.oid, 'USAGE')
            )
            or exists (
                select 1
                from {{ ref('partner_access') }} as access
                inner join pg_catalog.pg_roles as mapped
                    on mapped.rolname = '{{ var("aurora_role_prefix", "") }}' || access.db_role
                where access.partner_id = p_partner_id
                    and pg_catalog.pg_has_role(p_role, mapped.oid, 'MEMBER')
            )
        )
$aurora_partner_admits$;

comment on function {{ admits }}(text, name) is
    'Aurora (macros/access.sql): may role p_role read the rows of partner p_partner_id? '
    'The row-level security of the partner marts, from seeds/partner_access.csv.';

alter table {{ this }} enable row level security;

drop policy if exists aurora_partner_rows on {{ this }};

create policy aurora_partner_rows on {{ this }}
    as permissive
    for select
    to public
    using ({{ admits }}(partner_id, current_user));
{%- endmacro %}
