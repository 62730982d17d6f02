"""Winners' awards and payee details; finance pages for payouts. Thin: parse, call, render."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crowdstudio.accounts.access import get_organisation_for_user
from crowdstudio.accounts.permissions import Capability
from crowdstudio.audit.selectors import audit_for_object
from crowdstudio.awards import selectors, services
from crowdstudio.awards.access import get_obligation_for_user
from crowdstudio.awards.forms import (
    CancelForm,
    MarkPaidForm,
    PayeeDetailsForm,
    PayoutSettingsForm,
    SendForm,
    TreatyRateForm,
    add_service_error,
)
from crowdstudio.awards.models import (
    AttemptStatus,
    ObligationStatus,
    OrganisationPayoutSettings,
)
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.lib.csvsafe import safe_cell
from crowdstudio.lib.errors import ServiceError

# --- winners ----------------------------------------------------------------------------------


@login_required
@require_GET
def my_awards(request: HttpRequest) -> HttpResponse:
    awards = selectors.awards_of(request.user)
    details = selectors.payee_details_of(request.user.pk)
    today = timezone.localdate()
    settings_by_org: dict[int, OrganisationPayoutSettings] = {}
    rows = []
    for award in awards:
        obligation = getattr(award, "obligation", None)
        blockers: list[str] = []
        if obligation is not None:
            org_id = obligation.organisation_id
            if org_id not in settings_by_org:
                settings_by_org[org_id] = selectors.payout_settings_of(org_id)
            blockers = selectors.blockers_given(
                obligation, today=today, details=details, settings=settings_by_org[org_id]
            )
        rows.append(
            {
                "award": award,
                "obligation": obligation,
                "waiting_for": [str(selectors.BLOCKERS[code]) for code in blockers],
            }
        )
    return render(request, "awards/my_awards.html", {"rows": rows, "details": details})


@login_required
def payee_details(request: HttpRequest) -> HttpResponse:
    """The winner's payee details form; the taxpayer id is write-only (shown masked)."""
    if not selectors.awards_of(request.user):
        raise Http404("No awards")
    on_file = selectors.payee_details_of(request.user.pk)
    initial = {}
    if on_file is not None:
        initial = {
            "legal_name": on_file.legal_name,
            "country": on_file.country,
            "tax_form": on_file.tax_form,
            "form_signed_on": on_file.form_signed_on,
        }
    form = PayeeDetailsForm(initial=initial, on_file=on_file)
    if request.method == "POST":
        form = PayeeDetailsForm(request.POST, on_file=on_file)
        if form.is_valid():
            try:
                services.payee_details_save(user=request.user, **form.cleaned_data)
            except ServiceError as error:
                add_service_error(form, error.code, error.message)
            else:
                messages.success(request, _("Thank you, your payee details are saved."))
                return redirect("my_awards")
    return render(
        request,
        "awards/payee_details.html",
        {"form": form, "on_file": on_file},
        status=400 if form.errors else 200,
    )


# --- finance ----------------------------------------------------------------------------------


def _payout_list(request: HttpRequest, queryset: Any, context: dict[str, Any]) -> HttpResponse:
    rows = selectors.obligation_rows(queryset, today=timezone.localdate())
    return render(request, "awards/payouts.html", {"rows": rows, **context})


@login_required
@require_GET
def payouts_campaign(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.MANAGE_PAYOUTS)
    return _payout_list(
        request,
        selectors.campaign_obligations(campaign),
        {"campaign": campaign, "organisation": campaign.organisation},
    )


@login_required
@require_GET
def payouts_organisation(request: HttpRequest, org: str) -> HttpResponse:
    organisation = get_organisation_for_user(request.user, org, Capability.MANAGE_PAYOUTS)
    settings = selectors.payout_settings_of(organisation.pk)
    form = PayoutSettingsForm(
        initial={"tax_forms_required": settings.tax_forms_required, "provider": settings.provider}
    )
    return _payout_list(
        request,
        selectors.organisation_obligations(organisation.pk),
        {"organisation": organisation, "settings_form": form},
    )


@login_required
@require_POST
def payout_settings(request: HttpRequest, org: str) -> HttpResponse:
    organisation = get_organisation_for_user(request.user, org, Capability.MANAGE_PAYOUTS)
    form = PayoutSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.payout_settings_save(
                organisation=organisation,
                user=request.user,
                tax_forms_required=form.cleaned_data["tax_forms_required"],
                provider=form.cleaned_data["provider"] or "",
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Payout settings saved."))
    else:
        messages.error(request, _("Please check the payout settings."))
    return redirect("payouts_organisation", org=organisation.slug)


@login_required
@require_GET
def payouts_ledger(request: HttpRequest, org: str) -> HttpResponse:
    organisation = get_organisation_for_user(request.user, org, Capability.MANAGE_PAYOUTS)
    return render(
        request,
        "awards/ledger.html",
        {
            "organisation": organisation,
            "balances": selectors.ledger_balances(organisation.pk),
            "owed": selectors.payee_payable(organisation.pk),
            "transactions": selectors.recent_transactions(organisation.pk),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def payouts_export(request: HttpRequest, slug: str) -> HttpResponse:
    """CSV for finance: one row per obligation; never the taxpayer id."""
    campaign = get_campaign_for_user(request.user, slug, Capability.MANAGE_PAYOUTS)
    writer = csv.writer(_Echo())
    lines = [writer.writerow(selectors.EXPORT_HEADER)]
    for row in selectors.export_rows(selectors.campaign_obligations(campaign)):
        # A leading =, +, - or @ would be a formula in a spreadsheet.
        lines.append(writer.writerow([safe_cell(cell) for cell in row]))
    response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payouts-{campaign.slug}.csv"'
    return response


@login_required
@require_GET
def payout_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obligation = get_obligation_for_user(request.user, pk)
    details = selectors.payee_details_of(obligation.payee_id)
    blockers = selectors.obligation_blockers(obligation, today=timezone.localdate())
    attempts = list(obligation.attempts.all())
    in_flight = next((a for a in attempts if a.status == AttemptStatus.IN_FLIGHT), None)
    is_open = obligation.status in (ObligationStatus.PENDING, ObligationStatus.FAILED)
    return render(
        request,
        "awards/payout_detail.html",
        {
            "obligation": obligation,
            "campaign": obligation.campaign,
            "details": details,
            "waiting_for": [str(selectors.BLOCKERS[code]) for code in blockers],
            "attempts": attempts,
            "in_flight": in_flight,
            "is_open": is_open,
            "provider": selectors.provider_name_for(obligation.organisation_id),
            "send_form": SendForm(),
            "paid_form": MarkPaidForm(initial={"paid_on": timezone.localdate()}),
            "cancel_form": CancelForm(),
            "rate_form": TreatyRateForm(initial={"rate": obligation.treaty_rate}),
            "history": audit_for_object(obligation),
        },
    )


def _flash_refusal(request: HttpRequest, error: ServiceError) -> None:
    if error.code in {"already_paid", "cancelled"}:
        messages.info(request, error.message)
    else:
        messages.error(request, error.message)


@login_required
@require_POST
def payout_send(request: HttpRequest, pk: int) -> HttpResponse:
    obligation = get_obligation_for_user(request.user, pk)
    form = SendForm(request.POST)
    key = str(form.cleaned_data["request_key"]) if form.is_valid() else ""
    try:
        obligation = services.payout_send(obligation=obligation, user=request.user, request_key=key)
    except ServiceError as error:
        _flash_refusal(request, error)
    else:
        attempt = obligation.attempts.order_by("-number").first()
        if obligation.status == ObligationStatus.PAID:
            messages.success(request, _("Paid."))
        elif obligation.status == ObligationStatus.FAILED:
            messages.error(
                request,
                _("The provider refused the payment: %(error)s")
                % {"error": attempt.last_error_message if attempt else ""},
            )
        elif attempt is not None and attempt.provider == "manual":
            messages.info(request, _("Pay by bank transfer, then record it with “Mark as paid”."))
        else:
            messages.warning(
                request,
                _(
                    "The provider did not answer. Send again: the same payment key is reused, "
                    "so it cannot pay twice."
                ),
            )
    return redirect("payout_detail", pk=pk)


@login_required
@require_POST
def payout_mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    obligation = get_obligation_for_user(request.user, pk)
    form = MarkPaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the payment's reference and date."))
        return redirect("payout_detail", pk=pk)
    try:
        services.payout_mark_paid(
            obligation=obligation,
            user=request.user,
            reference=form.cleaned_data["reference"],
            paid_on=form.cleaned_data["paid_on"],
        )
    except ServiceError as error:
        _flash_refusal(request, error)
    else:
        messages.success(request, _("Recorded as paid."))
    return redirect("payout_detail", pk=pk)


@login_required
@require_POST
def payout_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    obligation = get_obligation_for_user(request.user, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason for the cancellation."))
        return redirect("payout_detail", pk=pk)
    try:
        services.payout_cancel(
            obligation=obligation, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ServiceError as error:
        _flash_refusal(request, error)
    else:
        messages.success(request, _("The award and its payout are cancelled."))
    return redirect("payout_detail", pk=pk)


@login_required
@require_POST
def payout_treaty_rate(request: HttpRequest, pk: int) -> HttpResponse:
    obligation = get_obligation_for_user(request.user, pk)
    form = TreatyRateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The rate is a percentage from 0 to 99.99."))
        return redirect("payout_detail", pk=pk)
    try:
        services.obligation_set_treaty_rate(
            obligation=obligation, user=request.user, rate=form.cleaned_data["rate"]
        )
    except ServiceError as error:
        _flash_refusal(request, error)
    else:
        messages.success(request, _("Withholding rate saved."))
    return redirect("payout_detail", pk=pk)
