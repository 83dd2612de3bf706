-- GET /eth/v1/beacon/states/{state_slot}/validators: the operator's validators once per day, amounts in wei.
-- Renamed and cast; only rows of completed dlt loads, with their lineage (macros/staging.sql).
{% call aurora.staged_source('ethereum', 'validators') %}
        source.period_id,
        source.state_slot,
        cast(source.validator_index as {{ dbt.type_string() }}) as validator_id,
        source.validator_index,
        lower(source.pubkey) as pubkey,
        lower(source.status) as validator_status,
        {{ aurora.to_money(aurora.to_money('source.balance') ~ ' * ' ~ aurora.pow10(9)) }} as balance_wei,
        {{ aurora.to_money(aurora.to_money('source.effective_balance') ~ ' * ' ~ aurora.pow10(9)) }} as effective_balance_wei,
        source.slashed as is_slashed,
        lower(source.withdrawal_credentials) as withdrawal_credentials,
        substring(lower(source.withdrawal_credentials), 1, 4) as withdrawal_credentials_prefix,
        case when substring(lower(source.withdrawal_credentials), 1, 4) in ('0x01', '0x02') then '0x' || substring(lower(source.withdrawal_credentials), 27, 40) end as withdrawal_address,
        {{ aurora.to_money('source.activation_eligibility_epoch') }} as activation_eligibility_epoch,
        {{ aurora.to_money('source.activation_epoch') }} as activation_epoch,
        {{ aurora.to_money('source.exit_epoch') }} as exit_epoch,
        {{ aurora.to_money('source.withdrawable_epoch') }} as withdrawable_epoch,
{% endcall %}
