"""Wrong measurements on purpose: a claim test that still passes on them checks nothing.

Every number a snippet publishes is scaled by 10³ or 10⁻³ and every boolean flipped. Scaling all
values the same way leaves ratios of them unchanged, so two modes scale alternate values (in the
order the snippet published them) in opposite directions.
"""

from __future__ import annotations

MODES = ("up", "down", "alternate", "alternate-reversed")
FACTOR = 1e3


def corrupt_values(values: dict, mode: str) -> dict:
    if mode not in MODES:
        raise ValueError(f"GRADBOOK_CORRUPT_VALUES={mode!r}; expected one of {', '.join(MODES)}")
    corrupted = {}
    for index, (key, value) in enumerate(values.items()):
        up = {"up": True, "down": False, "alternate": index % 2 == 0, "alternate-reversed": index % 2 == 1}[mode]
        corrupted[key] = _corrupt(value, FACTOR if up else 1 / FACTOR)
    return corrupted


def _corrupt(value, factor: float):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        # Zero scaled is still zero: shift it instead, so an exact-zero claim sees a wrong value.
        return value * factor if value != 0 else factor
    if isinstance(value, list):
        return [_corrupt(item, factor) for item in value]
    if isinstance(value, dict):
        return {key: _corrupt(item, factor) for key, item in value.items()}
    return value
