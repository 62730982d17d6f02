"""Payee details: validation, encryption at rest, key rotation, and the tax-form rule."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.utils import timezone

from crowdstudio.audit.models import AuditEvent
from crowdstudio.awards import services, tax
from crowdstudio.awards.models import PayeeDetails
from crowdstudio.lib import crypto
from crowdstudio.lib.errors import ServiceError


def raw_row(details):
    table = PayeeDetails._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [details.pk])  # noqa: S608
        return " ".join(str(value) for value in cursor.fetchone())


def test_the_taxpayer_id_is_stored_encrypted_and_shown_masked(give_details):
    details = give_details(taxpayer_id="DE 1234-5678-901", payout_account="DE89370400440532013000")
    row = raw_row(details)
    assert "DE12345678901" not in row
    assert "12345678901" not in row
    assert "DE89370400440532013000" not in row
    assert crypto.decrypt(details.taxpayer_id_encrypted) == "DE12345678901"
    assert details.taxpayer_id_masked == "•••• 8901"
    assert details.payout_account_masked == "•••• 3000"


def test_the_audit_log_never_holds_the_taxpayer_id(give_details):
    give_details(taxpayer_id="DE12345678901")
    for event in AuditEvent.objects.filter(action__startswith="payee."):
        assert "12345678901" not in str(event.data)


def test_leaving_the_taxpayer_id_blank_keeps_the_one_on_file(give_details):
    first = give_details(taxpayer_id="DE12345678901")
    second = give_details(taxpayer_id="", legal_name="Erin Q. Example", payout_account="")
    assert second.pk == first.pk
    assert second.legal_name == "Erin Q. Example"
    assert crypto.decrypt(second.taxpayer_id_encrypted) == "DE12345678901"
    assert crypto.decrypt(second.payout_account_encrypted) == "acct_1ErinExample"


def test_a_first_entry_needs_the_taxpayer_id(give_details):
    with pytest.raises(ServiceError) as error:
        give_details(taxpayer_id="")
    assert error.value.code == "taxpayer_id_required"


def test_old_values_still_decrypt_after_a_new_key_is_put_in_front(give_details, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CROWDSTUDIO_FIELD_ENCRYPTION_KEYS = [old]
    details = give_details(taxpayer_id="DE12345678901")
    settings.CROWDSTUDIO_FIELD_ENCRYPTION_KEYS = [new, old]
    assert crypto.decrypt(details.taxpayer_id_encrypted) == "DE12345678901"
    assert services.payee_details_rotate_keys() == 1
    settings.CROWDSTUDIO_FIELD_ENCRYPTION_KEYS = [new]
    details.refresh_from_db()
    assert crypto.decrypt(details.taxpayer_id_encrypted) == "DE12345678901"
    assert crypto.decrypt(details.payout_account_encrypted) == "acct_1ErinExample"


def test_a_value_under_a_removed_key_is_a_clear_error(give_details, settings):
    details = give_details()
    settings.CROWDSTUDIO_FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ValueError):
        crypto.decrypt(details.taxpayer_id_encrypted)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"country": "Germany"}, "invalid_country"),
        ({"country": "DE", "tax_form": "w9"}, "wrong_tax_form"),
        ({"country": "US", "tax_form": "w8ben"}, "wrong_tax_form"),
        ({"country": "US", "tax_form": "w9", "taxpayer_id": "12345"}, "invalid_taxpayer_id"),
        ({"tax_form": "1099"}, "invalid_tax_form"),
        ({"legal_name": "  "}, "legal_name_required"),
        ({"form_signed_on": timezone.localdate() + timedelta(days=2)}, "signed_in_future"),
        ({"payout_account": "acct_<script>"}, "invalid_payout_account"),
    ],
)
def test_bad_payee_details_are_refused_with_a_clear_code(give_details, fields, code):
    with pytest.raises(ServiceError) as error:
        give_details(**fields)
    assert error.value.code == code
    assert not PayeeDetails.objects.exists()


def test_the_country_code_is_accepted_in_lower_case(give_details):
    assert give_details(country="at").country == "AT"


# --- the pure rule ---------------------------------------------------------------------------


def test_us_persons_give_a_w9_and_everyone_else_a_w8ben():
    assert tax.required_form("US") == tax.W9
    assert tax.required_form("de") == tax.W8BEN
    assert tax.required_form("US", forms_required=False) == tax.NONE


def test_a_w8ben_is_valid_until_the_end_of_the_third_calendar_year_after_signing():
    assert tax.form_valid_until(tax.W8BEN, date(2025, 5, 1)) == date(2028, 12, 31)
    assert tax.form_is_current(tax.W8BEN, date(2025, 5, 1), date(2028, 12, 31))
    assert not tax.form_is_current(tax.W8BEN, date(2025, 5, 1), date(2029, 1, 1))
    assert tax.form_valid_until(tax.W9, date(2001, 1, 1)) is None
    assert tax.form_is_current(tax.W9, date(2001, 1, 1), date(2040, 1, 1))


def test_withholding_is_zero_for_a_w9_thirty_percent_for_a_w8ben_or_the_treaty_rate():
    assert tax.withholding_rate(tax.W9) == 0
    assert tax.withholding_rate(tax.W8BEN) == 30
    assert tax.withholding_rate(tax.W8BEN, Decimal("12.5")) == Decimal("12.5")
    assert tax.withholding_rate(tax.NONE) == 0


def test_the_split_rounds_the_withheld_amount_half_up_to_the_cent():
    assert tax.split(Decimal("333.33"), Decimal("30")) == (Decimal("100.00"), Decimal("233.33"))
    assert tax.split(Decimal("0.05"), Decimal("30")) == (Decimal("0.02"), Decimal("0.03"))


def test_the_rotation_command_re_encrypts_with_the_newest_key(give_details, settings):
    from io import StringIO

    from django.core.management import call_command

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CROWDSTUDIO_FIELD_ENCRYPTION_KEYS = [old]
    details = give_details()
    settings.CROWDSTUDIO_FIELD_ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    call_command("awards_rotate_keys", stdout=out)
    assert "1" in out.getvalue()
    settings.CROWDSTUDIO_FIELD_ENCRYPTION_KEYS = [new]
    details.refresh_from_db()
    assert crypto.decrypt(details.taxpayer_id_encrypted) == "DE12345678901"
