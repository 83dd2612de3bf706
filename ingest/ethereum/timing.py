"""Slots, epochs, sync-committee periods and UTC days of a beacon chain (methodology §8).

Everything derives from ``/eth/v1/beacon/genesis`` (genesis time) and ``/eth/v1/config/spec``
(slot duration, ``SLOTS_PER_EPOCH``, ``EPOCHS_PER_SYNC_COMMITTEE_PERIOD``): nothing is hard-coded,
so a test network with other values is read the same way. Times are integer milliseconds.

Day D holds the epochs whose first slot starts in [D 00:00, D+1 00:00) UTC; D is closed when the
finalized epoch is at least D's last epoch + 2. This module only *plans* fetches with these rules;
the warehouse restates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from ingest.ethereum.payloads import ChainSpec, Genesis

MS_PER_DAY = 86_400_000
_EPOCH_ZERO = datetime(1970, 1, 1, tzinfo=UTC)


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


@dataclass(frozen=True)
class BeaconTiming:
    genesis_time: int  # unix seconds
    slot_ms: int
    slots_per_epoch: int
    epochs_per_sync_committee_period: int

    @classmethod
    def of(cls, genesis: Genesis, spec: ChainSpec) -> BeaconTiming:
        return cls(
            genesis_time=genesis.genesis_time,
            slot_ms=spec.slot_ms,
            slots_per_epoch=spec.slots_per_epoch,
            epochs_per_sync_committee_period=spec.epochs_per_sync_committee_period,
        )

    @property
    def epoch_ms(self) -> int:
        return self.slot_ms * self.slots_per_epoch

    # slots and epochs --------------------------------------------------------------------
    def epoch_of_slot(self, slot: int) -> int:
        return slot // self.slots_per_epoch

    def first_slot(self, epoch: int) -> int:
        return epoch * self.slots_per_epoch

    def last_slot(self, epoch: int) -> int:
        return (epoch + 1) * self.slots_per_epoch - 1

    def slots(self, epoch: int) -> range:
        return range(self.first_slot(epoch), self.first_slot(epoch + 1))

    def slot_start_ms(self, slot: int) -> int:
        """Unix milliseconds at which ``slot`` starts."""
        return self.genesis_time * 1000 + slot * self.slot_ms

    def epoch_start_ms(self, epoch: int) -> int:
        return self.slot_start_ms(self.first_slot(epoch))

    def epoch_start(self, epoch: int) -> datetime:
        return _EPOCH_ZERO + timedelta(milliseconds=self.epoch_start_ms(epoch))

    def sync_period(self, epoch: int) -> int:
        return epoch // self.epochs_per_sync_committee_period

    def sync_period_epochs(self, period: int) -> range:
        size = self.epochs_per_sync_committee_period
        return range(period * size, (period + 1) * size)

    # UTC days ------------------------------------------------------------------------------
    def _first_epoch_from_ms(self, unix_ms: int) -> int:
        """The first epoch (>= 0) whose first slot starts at or after ``unix_ms``."""
        offset = unix_ms - self.genesis_time * 1000
        return max(0, _ceil_div(offset, self.epoch_ms))

    def day_epochs(self, day: date) -> range:
        """The epochs of UTC day ``day`` (empty before genesis)."""
        start = _day_ms(day)
        first = self._first_epoch_from_ms(start)
        end = self._first_epoch_from_ms(start + MS_PER_DAY)
        return range(first, end)

    def day_of_epoch(self, epoch: int) -> date:
        start_ms = self.epoch_start_ms(epoch)
        return date(1970, 1, 1) + timedelta(days=start_ms // MS_PER_DAY)

    def day_of_slot(self, slot: int) -> date:
        """The day a slot's items belong to: its epoch's day, not its own clock time."""
        return self.day_of_epoch(self.epoch_of_slot(slot))

    def state_slot(self, day: date) -> int:
        """The state of day D: the first slot of D's last epoch (methodology §8)."""
        epochs = self.day_epochs(day)
        if not epochs:
            raise ValueError(f"{day} holds no epoch")
        return self.first_slot(epochs[-1])

    def is_day_closed(self, day: date, finalized_epoch: int) -> bool:
        epochs = self.day_epochs(day)
        return bool(epochs) and finalized_epoch >= epochs[-1] + 2


def _day_ms(day: date) -> int:
    return (day - date(1970, 1, 1)).days * MS_PER_DAY
