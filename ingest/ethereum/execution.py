"""Execution-client JSON-RPC: ``eth_getBlockByNumber`` (with and without full transactions) and
``eth_getBlockReceipts``.

Answers are checked against their request and, when the caller passes what the beacon chain said,
against the beacon block's execution payload: the block number, the block hash, the fee recipient
(``miner``), the base fee, the gas used and the timestamp must agree; the receipts must be the
block's transactions in order, from the same block. A violation raises
:class:`EthereumPayloadError` naming provider, method, params and field.

JSON-RPC errors: -32005 (limit exceeded) is retried; any other is an :class:`ExecutionRpcError`.
A ``null`` result for a block the beacon chain says exists is a violation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import ValidationError

from ingest.core.http import (
    Fetched,
    ProviderHttpClient,
    ResponseRecord,
    RetryableResponse,
    canonical_json,
    request_id_for,
)
from ingest.ethereum.errors import (
    EthereumPayloadError,
    ExecutionRpcError,
    Violation,
    payload_error,
)
from ingest.ethereum.payloads import (
    ExecutionBlock,
    ExecutionBlockFull,
    ExecutionPayload,
    ExecutionReceipt,
    hex_quantity,
    parse_execution_block,
    parse_receipts,
)

T = TypeVar("T")

PROVIDER_KIND = "ethereum_json_rpc"  # providers.yaml `kind` of the providers this client speaks to
GET_BLOCK_BY_NUMBER = "eth_getBlockByNumber"
GET_BLOCK_RECEIPTS = "eth_getBlockReceipts"
CHAIN_ID = "eth_chainId"
RETRYABLE_RPC_CODES = frozenset({-32005})


def quantity(number: int) -> str:
    """An integer as a JSON-RPC ``QUANTITY`` (``0x`` hex, no leading zeros)."""
    if number < 0:
        raise ValueError(f"{number} is negative")
    return hex(number)


def rpc_id_for(request_id: str) -> int:
    """The JSON-RPC ``id``, derived from the request id: the same request sends the same bytes."""
    return int(request_id[:12], 16)


def check_block_matches_payload(
    block: ExecutionBlock | ExecutionBlockFull, payload: ExecutionPayload
) -> None:
    """The execution block is the one the beacon block's payload names."""
    pairs: list[tuple[str, object, object]] = [
        ("result.hash", block.hash, payload.block_hash),
        ("result.number", block.number, payload.block_number),
        ("result.miner", block.miner, payload.fee_recipient),
        ("result.baseFeePerGas", block.base_fee_per_gas, payload.base_fee_per_gas),
        ("result.gasUsed", block.gas_used, payload.gas_used),
        ("result.timestamp", block.timestamp, payload.timestamp),
        ("result.parentHash", block.parent_hash, payload.parent_hash),
    ]
    for field, got, beacon in pairs:
        if got != beacon:
            raise Violation(field, f"{got!r} differs from the beacon payload's {beacon!r}")


def check_receipts_match_block(
    receipts: list[ExecutionReceipt], block: ExecutionBlock | ExecutionBlockFull
) -> None:
    """The receipts are the block's transactions, in order, and use all of its gas."""
    hashes = block.transaction_hashes
    if len(receipts) != len(hashes):
        raise Violation("result", f"{len(receipts)} receipts for {len(hashes)} transactions")
    for position, (receipt, tx_hash) in enumerate(zip(receipts, hashes, strict=True)):
        if receipt.transaction_hash != tx_hash:
            raise Violation(
                f"result[{position}].transactionHash",
                f"{receipt.transaction_hash}, but the block's transaction {position} is {tx_hash}",
            )
        if receipt.effective_gas_price < block.base_fee_per_gas:
            raise Violation(
                f"result[{position}].effectiveGasPrice",
                f"{receipt.effective_gas_price} is below the block's base fee "
                f"{block.base_fee_per_gas}",
            )
    used = receipts[-1].cumulative_gas_used if receipts else 0
    if used != block.gas_used:
        raise Violation(
            "result", f"receipts use {used} gas in total, the block says {block.gas_used}"
        )


class ExecutionClient:
    """Typed execution JSON-RPC calls over a :class:`ProviderHttpClient`."""

    def __init__(self, http: ProviderHttpClient) -> None:
        self.http = http
        self.provider_id = http.provider_id

    async def call(self, method: str, params: list[Any], parse: Callable[[Any], T]) -> Fetched[T]:
        """One JSON-RPC call; ``parse`` gets the ``result`` and may raise :class:`Violation`."""
        provider = self.provider_id
        rpc_id = rpc_id_for(request_id_for(provider, method, canonical_json(params)))
        payload = {"jsonrpc": "2.0", "id": rpc_id, "method": method, "params": params}

        def interpret(body: Any, record: ResponseRecord) -> T:
            if not isinstance(body, dict) or body.get("jsonrpc") != "2.0":
                raise RetryableResponse("malformed JSON-RPC envelope")
            if body.get("id") != rpc_id:
                raise RetryableResponse(
                    f"JSON-RPC response id {body.get('id')!r} does not match request id {rpc_id}"
                )
            if "error" in body:
                error = body["error"]
                if not isinstance(error, dict) or "code" not in error:
                    raise RetryableResponse("malformed JSON-RPC error member")
                code = int(error["code"])
                message = str(error.get("message", ""))
                if code in RETRYABLE_RPC_CODES:
                    raise RetryableResponse(f"JSON-RPC error {code}: {message}")
                raise ExecutionRpcError(provider, method, record.params_json, code, message)
            if "result" not in body:
                raise EthereumPayloadError(
                    provider, method, record.params_json, "result", "missing"
                )
            try:
                return parse(body["result"])
            except ValidationError as exc:
                raise payload_error(provider, method, record.params_json, exc, "result") from None
            except Violation as violation:
                raise EthereumPayloadError(
                    provider, method, record.params_json, violation.field, violation.detail
                ) from None

        return await self.http.request(
            method=method,
            params=params,
            http_method="POST",
            json_body=payload,
            interpret=interpret,
        )

    async def chain_id(self) -> Fetched[int]:
        """``eth_chainId``: the chain's id (1 on mainnet); a cheap call that shows the node answers."""

        def parse(result: Any) -> int:
            try:
                return hex_quantity(result)
            except ValueError as exc:
                raise Violation("result", str(exc)) from None

        return await self.call(CHAIN_ID, [], parse)

    async def get_block_by_number(
        self,
        number: int,
        *,
        full: bool = False,
        expected: ExecutionPayload | None = None,
        expected_hash: str | None = None,
    ) -> Fetched[ExecutionBlock | ExecutionBlockFull]:
        """Block ``number``; with ``full`` its transactions as objects. ``expected``: the beacon
        block's execution payload, which the block must match."""

        def parse(result: Any) -> ExecutionBlock | ExecutionBlockFull:
            block = parse_execution_block(result, full=full)
            if block is None:
                raise Violation("result", f"null: the node has no block {number}")
            if block.number != number:
                raise Violation("result.number", f"{block.number}, but block {number} was asked")
            if expected_hash is not None and block.hash != expected_hash.lower():
                raise Violation("result.hash", f"{block.hash}, expected {expected_hash.lower()}")
            if expected is not None:
                check_block_matches_payload(block, expected)
            if isinstance(block, ExecutionBlockFull):
                for position, tx in enumerate(block.transactions):
                    field = f"result.transactions[{position}]"
                    if tx.block_hash != block.hash:
                        raise Violation(f"{field}.blockHash", f"{tx.block_hash} is another block")
                    if tx.block_number != block.number:
                        raise Violation(
                            f"{field}.blockNumber", f"{tx.block_number} is another block"
                        )
                    if tx.transaction_index != position:
                        raise Violation(
                            f"{field}.transactionIndex",
                            f"{tx.transaction_index} at position {position}",
                        )
            return block

        return await self.call(GET_BLOCK_BY_NUMBER, [quantity(number), full], parse)

    async def get_block_receipts(
        self,
        number: int,
        *,
        expected_hash: str | None = None,
        block: ExecutionBlock | ExecutionBlockFull | None = None,
    ) -> Fetched[list[ExecutionReceipt]]:
        """The receipts of block ``number``, all from that block (``expected_hash``, or ``block``'s
        hash), in transaction order; with ``block``, exactly its transactions."""
        want_hash = block.hash if block is not None else expected_hash
        want_hash = want_hash.lower() if want_hash is not None else None

        def parse(result: Any) -> list[ExecutionReceipt]:
            receipts = parse_receipts(result)
            if receipts is None:
                raise Violation("result", f"null: the node has no receipts for block {number}")
            block_hashes = {r.block_hash for r in receipts}
            for position, receipt in enumerate(receipts):
                field = f"result[{position}]"
                if receipt.block_number != number:
                    raise Violation(
                        f"{field}.blockNumber",
                        f"{receipt.block_number}, but block {number} was asked",
                    )
                if want_hash is not None and receipt.block_hash != want_hash:
                    raise Violation(f"{field}.blockHash", f"{receipt.block_hash}, not {want_hash}")
                if receipt.transaction_index != position:
                    raise Violation(
                        f"{field}.transactionIndex",
                        f"{receipt.transaction_index} at position {position}",
                    )
            if len(block_hashes) > 1:
                raise Violation("result", "receipts of more than one block")
            if block is not None:
                check_receipts_match_block(receipts, block)
            return receipts

        return await self.call(GET_BLOCK_RECEIPTS, [quantity(number)], parse)
