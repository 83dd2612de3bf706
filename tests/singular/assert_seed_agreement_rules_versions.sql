-- Every rule belongs to a version listed in seeds/agreement_versions.csv, and every version has at
-- least one rule (a new version restates all of its rules). Returns the orphans.
with rules as (
    select * from {{ ref('agreement_rules') }}
),

versions as (
    select * from {{ ref('agreement_versions') }}
),

rules_without_version as (
    select distinct
        rules.agreement_id,
        rules.version,
        rules.rule_id,
        'the rule names a version that does not exist' as problem
    from rules
    left join versions
        on
            rules.agreement_id = versions.agreement_id
            and rules.version = versions.version
    where versions.version is null
),

versions_without_rules as (
    select
        versions.agreement_id,
        versions.version,
        cast(null as {{ dbt.type_string() }}) as rule_id,
        'the version has no rules' as problem
    from versions
    left join rules
        on
            versions.agreement_id = rules.agreement_id
            and versions.version = rules.version
    where rules.rule_id is null
),

final as (
    select * from rules_without_version
    union all
    select * from versions_without_rules
)

select * from final
