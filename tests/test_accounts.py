import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password", ["short1A!", "alllowercaseletters", "ALLUPPER123456", "1234567890123"]
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_strong_password_passes():
    validate_password("Red-Flag-2026")


def test_lockout_after_repeated_failures(client, settings):
    make_user("secretary", password="Right-pass-123")
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "secretary", "password": "wrong"})
    response = client.post(url, {"username": "secretary", "password": "Right-pass-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_good_login_and_logout(client):
    make_user("member1", password="Right-pass-123")
    response = client.post(reverse("login"), {"username": "member1", "password": "Right-pass-123"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_sessions_time_out_when_idle(client, settings):
    make_user("member2", password="Right-pass-123")
    client.post(reverse("login"), {"username": "member2", "password": "Right-pass-123"})
    assert settings.SESSION_SAVE_EVERY_REQUEST  # activity renews the cookie...
    assert (
        client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE <= 30 * 60
    )  # ...idle ends it


def test_pages_need_login(client):
    response = client.get(reverse("people_list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_healthz(client):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}
