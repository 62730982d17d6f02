"""Sign-up, log-in and password reset by email, through django-allauth's real pages."""

from __future__ import annotations

import re

from django.urls import reverse


def test_a_fan_signs_up_and_is_logged_in(client, db, django_user_model):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "nina@example.org",
            "username": "nina",
            "password1": "a long pass phrase 42",
            "password2": "a long pass phrase 42",
        },
    )
    assert response.status_code == 302
    user = django_user_model.objects.get(username="nina")
    assert user.email == "nina@example.org"
    assert client.get(reverse("my_entries")).status_code == 200


def test_login_works_by_email_or_username(client, personas):
    for login in ("erin", "erin@example.org"):
        client.logout()
        response = client.post(
            reverse("account_login"), {"login": login, "password": "correct horse battery"}
        )
        assert response.status_code == 302, login
        assert client.get(reverse("my_entries")).status_code == 200


def test_a_wrong_password_shows_the_form_again(client, personas):
    response = client.post(reverse("account_login"), {"login": "erin", "password": "nope"})
    assert response.status_code == 200
    assert client.get(reverse("my_entries")).status_code == 302


def test_password_reset_by_email(client, personas, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "erin@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["erin@example.org"]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mailoutbox[0].body)
    assert link, mailoutbox[0].body
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    post_to = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1)
    done = client.post(
        post_to, {"password1": "a brand new phrase 7", "password2": "a brand new phrase 7"}
    )
    assert done.status_code == 302
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "erin", "password": "a brand new phrase 7"}
    )
    assert response.status_code == 302


def test_the_signup_page_uses_the_site_layout(client, db):
    html = client.get(reverse("account_signup")).content.decode()
    assert "crowdstudio" in html and "vendor/pico.min.css" in html
