"""The reference site on vanishing and exploding gradients: its snippet engine and shared helpers."""

__version__ = "0.1.0"
