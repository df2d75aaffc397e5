"""The bench clinic for `make bench`: a deterministic, bulk-inserted clinic of issue 6's size."""

from .checks import appointment_overlap_count
from .seed import DEFAULT, TINY, Counts, SeedResult, seed

__all__ = ["DEFAULT", "TINY", "Counts", "SeedResult", "appointment_overlap_count", "seed"]
