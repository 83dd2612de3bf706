"""How ingestion reports progress: ``progress(stage, done, total)``, e.g. ``("requests", 40, 120)``."""

from __future__ import annotations

from collections.abc import Callable

ProgressCallback = Callable[[str, int, int], None]
