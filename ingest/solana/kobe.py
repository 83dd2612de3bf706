"""Jito Kobe API client and payload models (the MEV source of methodology §3.3).

- ``POST {base}/api/v1/validators`` with body ``{"epoch": E}``: every validator of epoch E with its
  ``mev_rewards`` (after Jito's fee, before the validator/staker split) and ``mev_commission_bps``.
  An epoch Kobe has not published yet answers an empty list: :attr:`KobeValidators.is_published`.
- ``GET {base}/api/v1/validator_rewards?vote_account=V&epoch=E``.

Strictness (late data versus malformed data): an epoch Kobe has not published (an empty list) and a
validator absent from a published epoch (not on Jito) are legitimate: their MEV is 0 and a later
re-ingest restates it. A record that is present must be whole: ``vote_account`` and ``running_jito``
always, and for a validator running Jito ``mev_rewards`` and ``mev_commission_bps`` non-null (a
validator not running Jito may send them null, as Kobe does); a vote account listed twice, a value
out of its bound (u64 lamports, 0..10000 bps), or rewards of another vote account or epoch than the
one asked for fail the request with the field named.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, Field, TypeAdapter, ValidationError, model_validator

from ingest.core.http import (
    Fetched,
    ProviderHttpClient,
    ResponseRecord,
    RetryableResponse,
    first_error,
)
from ingest.core.types import SNAKE, U64, Bps, ExactDecimal, ExactInt, Index

T = TypeVar("T")

PROVIDER_KIND = "jito_kobe"  # providers.yaml `kind` of the providers this client speaks to
VALIDATORS_PATH = "/api/v1/validators"
VALIDATOR_REWARDS_PATH = "/api/v1/validator_rewards"


class KobeValidator(BaseModel):
    model_config = SNAKE
    vote_account: str
    identity_account: str | None = None
    mev_commission_bps: Bps | None = None
    mev_rewards: U64 | None = None
    priority_fee_commission_bps: Bps | None = None
    priority_fee_rewards: U64 | None = None
    running_jito: bool
    running_bam: bool | None = None
    active_stake: U64 | None = None
    jito_directed_stake_target: bool | None = None
    jito_directed_stake_lamports: U64 | None = None
    jito_sol_active_lamports: U64 | None = None

    @model_validator(mode="after")
    def _mev_fields_of_a_jito_validator(self) -> KobeValidator:
        if self.running_jito:
            for name in ("mev_rewards", "mev_commission_bps"):
                if getattr(self, name) is None:
                    raise ValueError(
                        f"{name} is missing or null for vote account {self.vote_account}, which "
                        "runs Jito"
                    )
        return self


class KobeValidators(BaseModel):
    model_config = SNAKE
    validators: list[KobeValidator]

    @model_validator(mode="after")
    def _each_vote_account_once(self) -> KobeValidators:
        seen: set[str] = set()
        for item in self.validators:
            if item.vote_account in seen:
                raise ValueError(f"vote account {item.vote_account} is listed twice")
            seen.add(item.vote_account)
        return self

    @property
    def is_published(self) -> bool:
        return bool(self.validators)


class KobeValidatorReward(BaseModel):
    model_config = SNAKE
    vote_account: str
    epoch: Index
    mev_revenue: U64 | None = None
    mev_commission: Bps | None = None
    priority_fee_revenue: U64 | None = None
    priority_fee_commission: Bps | None = None
    num_stakers: Index | None = None
    claim_status_account: str | None = None


class KobeValidatorRewards(BaseModel):
    model_config = SNAKE
    rewards: list[KobeValidatorReward]
    total_count: Index | None = None


class KobeValidatorEpoch(BaseModel):
    model_config = SNAKE
    epoch: ExactInt
    mev_commission_bps: ExactInt | None = None
    mev_rewards: ExactInt | None = None
    priority_fee_commission_bps: ExactInt | None = None
    priority_fee_rewards: ExactInt | None = None


class KobeStakerReward(BaseModel):
    model_config = SNAKE
    claimant: str
    stake_authority: str | None = None
    withdraw_authority: str | None = None
    validator_vote_account: str
    epoch: ExactInt
    amount: ExactInt | None = None
    claim_status_account: str | None = None
    priority_fee_amount: ExactInt | None = None
    priority_fee_claim_status_account: str | None = None


class KobeStakerRewards(BaseModel):
    model_config = SNAKE
    rewards: list[KobeStakerReward] = Field(default_factory=list)
    total_count: ExactInt | None = None


class KobeMevRewards(BaseModel):
    model_config = SNAKE
    epoch: ExactInt
    total_network_mev_lamports: ExactInt
    jito_stake_weight_lamports: ExactInt
    mev_reward_per_lamport: ExactDecimal


_VALIDATOR_EPOCHS = TypeAdapter(list[KobeValidatorEpoch])

# Parsers per Kobe endpoint (used by the client and by the sample tests).
KOBE_PARSERS: dict[str, Callable[[Any], Any]] = {
    "validators": KobeValidators.model_validate,
    "validator_rewards": KobeValidatorRewards.model_validate,
    "validator_by_vote_account": _VALIDATOR_EPOCHS.validate_python,
    "staker_rewards": KobeStakerRewards.model_validate,
    "mev_rewards": KobeMevRewards.model_validate,
}


class JitoKobeClient:
    """Typed Kobe calls over a :class:`ProviderHttpClient`."""

    def __init__(self, http: ProviderHttpClient) -> None:
        self.http = http
        self.provider_id = http.provider_id

    @staticmethod
    def _interpret(endpoint: str, parse: Callable[[Any], T]) -> Callable[[Any, ResponseRecord], T]:
        def interpret(body: Any, record: ResponseRecord) -> T:
            try:
                return parse(body)
            except ValidationError as exc:
                raise RetryableResponse(
                    f"unexpected {endpoint} payload: {exc.error_count()} validation error(s): "
                    f"{first_error(exc)}"
                ) from None

        return interpret

    async def validators(self, epoch: int) -> Fetched[KobeValidators]:
        """Validators of ``epoch`` (an epoch Kobe has not published yet: an empty list)."""
        body = {"epoch": epoch}
        return await self.http.request(
            method=VALIDATORS_PATH,
            params=body,
            http_method="POST",
            path=VALIDATORS_PATH,
            json_body=body,
            interpret=self._interpret("validators", KobeValidators.model_validate),
        )

    async def validator_rewards(
        self, vote_account: str, epoch: int
    ) -> Fetched[KobeValidatorRewards]:
        """The rewards of ``vote_account`` in ``epoch`` (none: not on Jito, or not published);
        rewards of another vote account or epoch are a malformed answer."""
        params = {"epoch": epoch, "vote_account": vote_account}
        query = {"epoch": str(epoch), "vote_account": vote_account}

        def parse(body: Any) -> KobeValidatorRewards:
            value = KobeValidatorRewards.model_validate(body)
            for index, item in enumerate(value.rewards):
                if item.vote_account != vote_account or item.epoch != epoch:
                    raise RetryableResponse(
                        f"rewards[{index}]: vote account {item.vote_account} epoch {item.epoch}, "
                        f"but vote account {vote_account} epoch {epoch} was asked for"
                    )
            return value

        return await self.http.request(
            method=VALIDATOR_REWARDS_PATH,
            params=params,
            http_method="GET",
            path=VALIDATOR_REWARDS_PATH,
            query=query,
            interpret=self._interpret("validator_rewards", parse),
        )
