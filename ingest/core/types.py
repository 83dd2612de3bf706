"""Exact field types for provider payload models (pydantic, at the boundary).

- :data:`ExactInt`: an integer from a JSON number (parsed as ``Decimal``), a Python ``int`` or a
  decimal string (jsonParsed sends u64 as strings). A fraction is rejected: an amount is never
  rounded.
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
_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def exact_int(value: Any) -> int:
    kind = type(value)
    if kind is Decimal:  # the common case: every JSON number is parsed as a Decimal
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
ExactDecimal = Annotated[Decimal, BeforeValidator(exact_decimal)]
Pubkey = Annotated[str, BeforeValidator(pubkey)]

# Solana JSON-RPC payloads are camelCase; extra fields are kept (providers add fields over time).
CAMEL = ConfigDict(extra="allow", alias_generator=to_camel, populate_by_name=True, frozen=True)
# Kobe payloads are snake_case.
SNAKE = ConfigDict(extra="allow", frozen=True)
