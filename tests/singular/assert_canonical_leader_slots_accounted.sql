-- Fails when a leader slot of a validator has no getBlock answer (neither produced nor skipped):
-- its block fees would be understated. leader_slot_count = produced_block_count + skipped_slot_count.
select *
from {{ ref('canonical_validator_fees') }}
where leader_slot_count <> produced_block_count + skipped_slot_count
