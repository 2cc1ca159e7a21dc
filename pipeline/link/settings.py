"""Link settings: the thresholds and level weights of pipeline/link, one value saved into `runs`.

Read from ``settings.toml`` beside this module (or a county's own copy); ``to_dict`` and
``from_dict`` round-trip it, so a run records exactly the numbers it linked with. An unknown key,
a missing key or a value of the wrong type is refused with a message naming the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from pipeline.link.comparisons import COMPARISONS

DEFAULT_PATH = Path(__file__).with_name("settings.toml")


@dataclass(frozen=True)
class LinkSettings:
    prior_bits: float
    link_score: float
    review_score: float
    name_ratio: float
    min_corroborations: int
    # weights[comparison][level] = log2 Bayes factor
    weights: dict[str, dict[str, float]]

    def to_dict(self) -> dict:
        d = asdict(self)
        weights = d.pop("weights")
        return {"thresholds": d, "weights": weights}

    @classmethod
    def from_dict(cls, d: dict) -> "LinkSettings":
        _only_keys(d, {"thresholds", "weights"}, "")
        thresholds = d["thresholds"]
        scalar = [f for f in fields(cls) if f.name != "weights"]
        _only_keys(thresholds, {f.name for f in scalar}, "thresholds.")
        values = {}
        for f in scalar:
            v = thresholds[f.name]
            kind = int if f.type == "int" else float
            if isinstance(v, bool) or not isinstance(v, (int, float)) or (kind is int and not isinstance(v, int)):
                raise ValueError(f"link settings: thresholds.{f.name} must be a {kind.__name__}, got {v!r}")
            values[f.name] = kind(v)
        weights = d["weights"]
        _only_keys(weights, {c.name for c in COMPARISONS}, "weights.")
        checked: dict[str, dict[str, float]] = {}
        for c in COMPARISONS:
            _only_keys(weights[c.name], {lv.key for lv in c.levels}, f"weights.{c.name}.")
            for key, v in weights[c.name].items():
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise ValueError(f"link settings: weights.{c.name}.{key} must be a number, got {v!r}")
            checked[c.name] = {lv.key: float(weights[c.name][lv.key]) for lv in c.levels}
        if not 0 < values["review_score"] <= values["link_score"] < 1:
            raise ValueError("link settings: need 0 < thresholds.review_score <= thresholds.link_score < 1")
        return cls(**values, weights=checked)


def load(path: str | Path | None = None) -> LinkSettings:
    with open(path or DEFAULT_PATH, "rb") as f:
        return LinkSettings.from_dict(tomllib.load(f))


def _only_keys(d: dict, expected: set[str], where: str) -> None:
    if not isinstance(d, dict):
        raise ValueError(f"link settings: {where.rstrip('.') or 'the file'} must be a table")
    unknown = sorted(set(d) - expected)
    missing = sorted(expected - set(d))
    if unknown:
        raise ValueError(f"link settings: unknown key {where}{unknown[0]}")
    if missing:
        raise ValueError(f"link settings: missing key {where}{missing[0]}")
