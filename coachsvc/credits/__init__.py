"""Mentoring credits 带教积分: sessions that meet a standard earn credits in an append-only ledger;
credits are redeemed for leave or bonus, and every ledger entry is exported to HR exactly once.

Modules: `settings` (the configurable standard and rates), `ledger` (locking, entries, balances,
reversals), `sessions` (mentoring sessions, recordings, annotations, review), `redemptions`, and
`hr` (CSV export and the signed webhook job).
"""

from __future__ import annotations

from typing import Any


class CreditError(Exception):
    """A refused credit operation: HTTP status, a stable error code and a message (Chinese first)."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


class InsufficientCredits(CreditError):
    def __init__(self, balance: int, wanted: int) -> None:
        super().__init__(
            409,
            "insufficient_credits",
            f"积分不足：当前余额 {balance}，需要 {wanted} (insufficient credits)",
            balance=balance,
        )
