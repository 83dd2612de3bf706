"""Exact field types for provider payload models (pydantic, at the boundary).

- :data:`ExactInt`: an integer from a JSON number (parsed as ``Decimal``), a Python ``int`` or a
  decimal string (jsonParsed sends u64 as strings). A fraction is rejected: an amount is never
  rounded. A number of more than :data:`MAX_DIGITS` digits is rejected before it is converted.
- The bounded integers the provider APIs promise: :data:`U64` (lamports and other u64 amounts),
  :data:`I64` (signed: block-reward lamports, unix times), :data:`Index` (u64 slots, epochs, counts:
  stored as ``bigint``, so at most 2^63 - 1), :data:`Percent` (a u8 commission, 0..100) and
  :data:`Bps` (basis points, 0..10000). A value out of its bound fails the response naming the field.
- :data:`Pubkey`: a base58 string; also accepts web3.js's ``{"_bn": "<hex>"}`` logging artefact
  (present in the cookbook sample) and turns it into base58.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict
from pydantic.alias_generators import to_camel

_INT_TEXT = re.compile(r"-?[0-9]+")
MAX_DIGITS = 40  # beyond any 128-bit integer: larger numbers are rejected before conversion
U64_MAX = 2**64 - 1
I64_MIN, I64_MAX = -(2**63), 2**63 - 1
_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def exact_int(value: Any) -> int:
    kind = type(value)
    if kind is Decimal:  # the common case: every JSON number is parsed as a Decimal
        if value.is_finite() and value and value.adjusted() >= MAX_DIGITS:
            raise ValueError(f"{value:.3E} is out of range (more than {MAX_DIGITS} digits)")
        try:
            result = int(value)
        except (ValueError, OverflowError):
            raise ValueError(f"{value} is not a whole number") from None
        if result != value:
            raise ValueError(f"{value} is not a whole number")
        return result
    if kind is int:
        return int(value)
    if kind is str and _INT_TEXT.fullmatch(value.strip()):
        if len(value.strip().lstrip("-")) > MAX_DIGITS:
            raise ValueError(f"a number of {len(value.strip())} digits is out of range")
        return int(value.strip())
    if kind is bool:
        raise ValueError("a boolean is not an integer")
    if kind is float:
        raise ValueError("a float is never accepted for an exact integer")
    raise ValueError(f"expected a whole number, got {kind.__name__}")


def exact_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        return Decimal(value.strip())
    raise ValueError(f"expected an exact number, got {type(value).__name__}")


def base58_encode(raw: bytes) -> str:
    number = int.from_bytes(raw, "big")
    out = ""
    while number:
        number, rem = divmod(number, 58)
        out = _B58_ALPHABET[rem] + out
    pad = len(raw) - len(raw.lstrip(b"\0"))
    return "1" * pad + out


def pubkey(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("_bn"), str):
        hex_text = value["_bn"]
        return base58_encode(bytes.fromhex(hex_text.rjust(64, "0")))
    raise ValueError(f"expected a base58 public key, got {type(value).__name__}")


ExactInt = Annotated[int, BeforeValidator(exact_int)]


def _bounded(kind: str, low: int, high: int) -> Any:
    """An exact integer within [low, high]; the error names the bound exactly (no float)."""

    def check(value: Any) -> int:
        number = exact_int(value)
        if not low <= number <= high:
            raise ValueError(f"{number} is outside the {kind} range {low}..{high}")
        return number

    return BeforeValidator(check)


U64 = Annotated[int, _bounded("u64", 0, U64_MAX)]
I64 = Annotated[int, _bounded("i64", I64_MIN, I64_MAX)]
Index = Annotated[int, _bounded("slot/epoch/count (u64 stored as bigint)", 0, I64_MAX)]
Percent = Annotated[int, _bounded("percent", 0, 100)]
Bps = Annotated[int, _bounded("basis-point", 0, 10_000)]
ExactDecimal = Annotated[Decimal, BeforeValidator(exact_decimal)]
Pubkey = Annotated[str, BeforeValidator(pubkey)]

# Solana JSON-RPC payloads are camelCase; extra fields are kept (providers add fields over time).
CAMEL = ConfigDict(extra="allow", alias_generator=to_camel, populate_by_name=True, frozen=True)
# Kobe payloads are snake_case.
SNAKE = ConfigDict(extra="allow", frozen=True)
