"""/api/v1/credits: balances, the ledger, reversals, redemptions, the HR CSV export and webhook status."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from coachsvc.api import SECURITY, ApiError, error_body, login_required_api
from coachsvc.api.credit_schemas import (
    CreditBalanceQuerySchema,
    CreditBalanceSchema,
    CreditEntrySchema,
    CreditLedgerPageSchema,
    CreditLedgerQuerySchema,
    CreditPeriodQuerySchema,
    CreditRedemptionQuerySchema,
    CreditRedemptionRequestSchema,
    CreditRedemptionSchema,
    CreditReverseSchema,
    HrDeliveryListSchema,
    HrDeliveryQuerySchema,
    HrQueuedCountSchema,
    MentoringReviewCommentSchema,
)
from coachsvc.api.schemas import ApiErrorSchema
from coachsvc.auth import can_see_user
from coachsvc.credits import CreditError, hr, ledger, redemptions
from coachsvc.credits.settings import credit_settings
from coachsvc.db import get_db
from coachsvc.db.models import User

blp = Blueprint("credits", __name__, url_prefix="/api/v1/credits", description="带教积分 Mentoring credits")
blp.register_error_handler(CreditError, lambda e: error_body(e.status, e.code, e.message, **e.extra))


@blp.route("/balance")
class Balance(MethodView):
    decorators = [login_required_api]

    @blp.arguments(CreditBalanceQuerySchema, location="query")
    @blp.response(200, CreditBalanceSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def get(self, args):
        """A balance (derived from the ledger) and the credits held by pending redemptions."""
        user = _visible_user(args.get("user_id", current_user.id))
        settings = credit_settings()
        return {
            "user_id": user.id,
            "balance": ledger.balance(get_db(), user.id),
            "pending_redemption_credits": ledger.pending_redemption_credits(get_db(), user.id),
            "leave_credits_per_hour": settings.leave_credits_per_hour,
            "bonus_yuan_per_credit": settings.bonus_yuan_per_credit,
        }


@blp.route("/entries")
class Entries(MethodView):
    decorators = [login_required_api]

    @blp.arguments(CreditLedgerQuerySchema, location="query")
    @blp.response(200, CreditLedgerPageSchema)
    @blp.doc(security=SECURITY)
    def get(self, args):
        """Ledger entries the caller may see, newest first; filter by user, kind and period."""
        filters = _filters(args)
        return ledger.list_entries(get_db(), current_user, filters, args["page"], args["per_page"])


@blp.route("/entries/<int:entry_id>/reverse")
class ReverseEntry(MethodView):
    decorators = [login_required_api]

    @blp.arguments(CreditReverseSchema)
    @blp.response(201, CreditEntrySchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="not an award, already reversed, or spent")
    @blp.doc(security=SECURITY)
    def post(self, body, entry_id: int):
        """Reverse an award by appending the opposite entry (trainer of the team or admin)."""
        return ledger.reverse_entry(get_db(), current_user, entry_id, body["reason"])


@blp.route("/redemptions")
class Redemptions(MethodView):
    decorators = [login_required_api]

    @blp.arguments(CreditRedemptionQuerySchema, location="query")
    @blp.response(200, CreditRedemptionSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, args):
        """Redemption requests the caller may see."""
        return redemptions.list_redemptions(get_db(), current_user, **args)

    @blp.arguments(CreditRedemptionRequestSchema)
    @blp.response(201, CreditRedemptionSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="insufficient_credits")
    @blp.alt_response(422, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def post(self, body):
        """Redeem credits for leave (10 credits = 1 hour) or bonus (1 credit = 10 yuan); debited at once."""
        return redemptions.request_redemption(
            get_db(), current_user, body["kind"], body["credits"], body["note"]
        )


def _redemption(redemption_id: int):
    found = redemptions.get_redemption(get_db(), current_user, redemption_id)
    if found is None:
        raise ApiError(404, "not_found", f"兑换申请 {redemption_id} 不存在")
    return found


@blp.route("/redemptions/<int:redemption_id>/approve")
class ApproveRedemption(MethodView):
    decorators = [login_required_api]

    @blp.arguments(MentoringReviewCommentSchema)
    @blp.response(200, CreditRedemptionSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def post(self, body, redemption_id: int):
        """Approve a pending request (trainer of the requester's team or admin)."""
        return redemptions.approve_redemption(
            get_db(), current_user, _redemption(redemption_id), body.get("comment")
        )


@blp.route("/redemptions/<int:redemption_id>/reject")
class RejectRedemption(MethodView):
    decorators = [login_required_api]

    @blp.arguments(MentoringReviewCommentSchema)
    @blp.response(200, CreditRedemptionSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def post(self, body, redemption_id: int):
        """Reject a pending request; a reversal entry gives the credits back."""
        return redemptions.reject_redemption(
            get_db(), current_user, _redemption(redemption_id), body.get("comment") or ""
        )


@blp.route("/redemptions/<int:redemption_id>/cancel")
class CancelRedemption(MethodView):
    decorators = [login_required_api]

    @blp.response(200, CreditRedemptionSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def post(self, redemption_id: int):
        """Withdraw one's own pending request; the credits come back."""
        return redemptions.cancel_redemption(get_db(), current_user, _redemption(redemption_id))


@blp.route("/export.csv")
class Export(MethodView):
    decorators = [login_required_api]

    @blp.arguments(CreditPeriodQuerySchema, location="query")
    @blp.response(200, description="UTF-8 CSV with a BOM, one row per ledger entry of the period")
    @blp.alt_response(422, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def get(self, args):
        """The ledger entries of a period (a month, or days; local calendar) for HR, as CSV."""
        return csv_response(args)


@blp.route("/hr-deliveries")
class Deliveries(MethodView):
    decorators = [login_required_api]

    @blp.arguments(HrDeliveryQuerySchema, location="query")
    @blp.response(200, HrDeliveryListSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def get(self, args):
        """The HR webhook deliveries and each attempt (admin)."""
        _admin_only()
        session = get_db()
        return {
            "configured": credit_settings().webhook_configured,
            "summary": hr.delivery_summary(session),
            "items": hr.list_deliveries(session, args.get("status")),
        }


@blp.route("/hr-deliveries/sync")
class SyncDeliveries(MethodView):
    decorators = [login_required_api]

    @blp.response(202, HrQueuedCountSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def post(self):
        """Queue every delivery that is due (admin); the same as `python -m coachsvc hr-sync`."""
        _admin_only()
        return {"queued": hr.enqueue_due_deliveries(get_db())}


@blp.route("/hr-deliveries/resend-failed")
class ResendFailed(MethodView):
    decorators = [login_required_api]

    @blp.response(202, HrQueuedCountSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.doc(security=SECURITY)
    def post(self):
        """Give deliveries that ran out of attempts a new round (admin)."""
        return {"queued": hr.resend_failed(get_db(), current_user)}


def csv_response(args: dict) -> Response:
    """Shared by the API and the export page."""
    period = hr.parse_period(args.get("month"), args.get("date_from"), args.get("date_to"))
    user_id = args.get("user_id")
    if user_id is not None:
        _visible_user(user_id)
    body = hr.export_csv(get_db(), current_user, period, user_id)
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="credits-{period.label}.csv"',
        },
    )


def _filters(args: dict) -> ledger.LedgerFilters:
    start = end = None
    if args.get("month") or args.get("date_from") or args.get("date_to"):
        period = hr.parse_period(args.get("month"), args.get("date_from"), args.get("date_to"))
        start, end = period.utc_bounds(credit_settings().timezone)
    return ledger.LedgerFilters(user_id=args.get("user_id"), kind=args.get("kind"), start=start, end=end)


def _visible_user(user_id: int) -> User:
    user = get_db().get(User, user_id)
    if user is None or not can_see_user(current_user, user):
        raise ApiError(404, "not_found", f"用户 {user_id} 不存在")
    return user


def _admin_only() -> None:
    if current_user.role != "admin":
        raise ApiError(403, "forbidden", "只有管理员可以查看 HR 同步 (admin only)")
