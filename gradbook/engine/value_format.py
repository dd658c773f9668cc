"""Format published values for prose: `{{ snippet.name | sci }}` and friends.

Formats: (none) a readable default; `sci` or `sci:N` -> 3.1 × 10⁻⁷ with N significant digits;
`pct` or `pct:N` -> 0.0977 %; `x` or `x:N` -> 57.7×; or any Python format spec such as `.3f`.
"""

from __future__ import annotations

import math

MINUS = "\u2212"
DEFAULT_DIGITS = {"sci": 2, "pct": 3, "x": 3}


class ValueFormatError(ValueError):
    pass


def format_value(value, spec: str | None) -> str:
    if spec is None or spec == "":
        return _default(value)
    if isinstance(value, (str, bool)):
        raise ValueFormatError(f"format '{spec}' needs a number, but the value is {value!r}")
    name, _, digits_text = spec.partition(":")
    digits = _digits(digits_text, spec) if digits_text else DEFAULT_DIGITS.get(name, 3)
    if name == "sci":
        return scientific(value, digits)
    if name == "pct":
        return f"{significant(value * 100, digits)} %"
    if name == "x":
        return f"{significant(value, digits)}×"
    try:
        return format(value, spec).replace("-", MINUS)  # a true minus sign, as the named formats print
    except (ValueError, TypeError) as error:
        raise ValueFormatError(f"'{spec}' is not a known format (sci, pct, x, or a Python format spec): {error}") from None


def format_code_value(value, spec: str | None) -> str:
    """The same value as plain text for inline code, where HTML is shown literally: 3.1e-7, -2."""
    text = format_value(value, spec)
    return text.replace(" × 10<sup>", "e").replace("</sup>", "").replace(MINUS, "-")


def scientific(value: float, digits: int = 2) -> str:
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = f"{value / 10**exponent:.{digits - 1}f}"
    if abs(float(mantissa)) >= 10:  # 9.99 rounded to 10.0: move to the next power
        exponent += 1
        mantissa = f"{value / 10**exponent:.{digits - 1}f}"
    return f"{mantissa} × 10<sup>{exponent}</sup>".replace("-", MINUS)


def significant(value: float, digits: int = 3) -> str:
    """`digits` significant digits in positional notation (never an exponent)."""
    if value == 0:
        return "0"
    decimals = max(digits - 1 - math.floor(math.log10(abs(value))), 0)
    return f"{value:.{decimals}f}".replace("-", MINUS)


def _default(value) -> str:
    if isinstance(value, bool) or isinstance(value, str) or isinstance(value, int):
        return str(value)
    if value != 0 and not 1e-3 <= abs(value) < 1e5:
        return scientific(value, 2)
    text = significant(value, 3)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _digits(text: str, spec: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 15:
        raise ValueFormatError(f"'{spec}': the digits after ':' must be a whole number from 1 to 15")
    return int(text)
