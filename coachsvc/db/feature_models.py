"""Imports every feature's model module so their tables are registered on Base.

Add one import line per feature module (coachsvc/db/<feature>.py).
"""

# ruff: noqa: F401, I001  (one import line per feature, on purpose)
from coachsvc.db import credits
from coachsvc.db import drills
from coachsvc.db import radar
