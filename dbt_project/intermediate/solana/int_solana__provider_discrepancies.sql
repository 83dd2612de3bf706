{#- Where Solana's providers disagree (methodology §1): the facts of config/chains.yaml compared
    provider against provider, one row per key, differing field and pair of providers
    (macros/provider_discrepancies.sql). Feeds audit.provider_discrepancies. -#}
{%- set facts = [
    {'fact': 'epoch_schedule', 'model': 'stg_solana__epoch_schedules', 'epoch': none, 'scope': "'schedule'",
     'keys': [], 'fields': ['slots_per_epoch', 'leader_schedule_slot_offset', 'is_warmup', 'first_normal_epoch', 'first_normal_slot']},
    {'fact': 'vote_accounts', 'model': 'stg_solana__vote_accounts', 'epoch': 'epoch', 'scope': 'epoch',
     'keys': ['epoch', 'vote_account'], 'fields': ['identity_pubkey', 'commission_bps', 'activated_stake_lamports']},
    {'fact': 'leader_schedule', 'model': 'stg_solana__leader_schedule_slots', 'epoch': 'epoch', 'scope': 'epoch',
     'keys': ['epoch', 'slot'], 'fields': ['identity_pubkey']},
    {'fact': 'blocks', 'model': 'stg_solana__blocks', 'epoch': 'request_epoch', 'scope': 'slot',
     'keys': ['slot'], 'fields': ['block_status', 'block_unix_time', 'blockhash']},
    {'fact': 'block_rewards', 'model': 'stg_solana__block_rewards', 'epoch': none, 'scope': 'slot',
     'keys': ['slot', 'recipient_pubkey', 'reward_type'], 'fields': ['reward_lamports', 'post_balance_lamports', 'commission_bps']},
    {'fact': 'block_times', 'model': 'stg_solana__block_times', 'epoch': none, 'scope': 'slot',
     'keys': ['slot'], 'fields': ['block_unix_time', 'is_skipped']},
    {'fact': 'inflation_rewards', 'model': 'stg_solana__inflation_rewards', 'epoch': 'epoch', 'scope': 'epoch',
     'keys': ['epoch', 'address'], 'fields': ['is_null', 'reward_lamports', 'post_balance_lamports', 'commission_bps', 'effective_slot']},
    {'fact': 'stake_accounts', 'model': 'stg_solana__stake_accounts', 'epoch': 'snapshot_epoch', 'scope': 'snapshot_epoch',
     'keys': ['snapshot_epoch', 'stake_account'], 'fields': ['vote_account', 'staker', 'withdraw_authority', 'delegated_stake_lamports']},
    {'fact': 'vote_signatures', 'model': 'stg_solana__vote_signatures', 'epoch': 'request_epoch', 'scope': 'request_epoch',
     'keys': ['vote_account', 'signature'], 'fields': ['slot', 'is_failed']},
    {'fact': 'mev', 'model': 'stg_solana__kobe_validators', 'epoch': 'epoch', 'scope': 'epoch',
     'keys': ['epoch', 'vote_account'], 'fields': ['mev_rewards_lamports', 'mev_commission_bps', 'is_running_jito']},
    {'fact': 'mev', 'model': 'stg_solana__kobe_epochs', 'epoch': 'epoch', 'scope': 'epoch',
     'keys': ['epoch'], 'fields': ['is_published']},
] -%}

-- The SQL is generated per fact by loops; sqlfluff cannot place their indentation.
-- noqa: disable=LT02
{{ aurora.provider_discrepancies('solana', facts, 'int_solana__periods') }}
