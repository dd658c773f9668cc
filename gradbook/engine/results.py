"""What a snippet run produces, as plain data that round-trips through JSON (never pickle)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class FigureCapture:
    svg: str
    svg_dark: str  # the same figure recoloured for the dark palette
    title: str
    alt: str
    cell: int  # the cell in which the figure was first drawn


@dataclass(frozen=True)
class SnippetRun:
    name: str
    seed: int | None
    values: dict[str, float | int | str | bool]
    cell_outputs: dict[int, str]  # printed text per cell index
    figures: list[FigureCapture]
    device: str  # e.g. "CPU" or "GPU (NVIDIA A100)"
    versions: dict[str, str]
    seconds: float
    dependencies: list[str] = field(default_factory=list)  # local modules imported, relative paths
    data: str | None = None  # the snippet's `site_data` as compact JSON, written to data/NAME.json
    backend: str = "tensorflow"  # the Keras backend it ran under: "tensorflow", "jax" or "torch"

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "SnippetRun":
        data = dict(data)
        data["figures"] = [FigureCapture(**figure) for figure in data["figures"]]
        data["cell_outputs"] = {int(index): text for index, text in data["cell_outputs"].items()}
        return cls(**data)


@dataclass(frozen=True)
class SnippetFailure:
    name: str
    path: str
    line: int | None
    message: str
    details: str = ""  # the traceback's last frames, or the worker's last stderr lines

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def describe(self) -> str:
        text = f"{self.location}: {self.message}"
        return f"{text}\n{self.details}" if self.details else text


@dataclass(frozen=True)
class SnippetPending:
    """A snippet still running in the background (during `mkdocs serve`): `done` of `total` have finished."""

    name: str
    done: int
    total: int
