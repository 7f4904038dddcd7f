"""The interface language follows the user from one login to the next."""

from django.conf import settings


def login(client, user, **cookies):
    for name, value in cookies.items():
        client.cookies[name] = value
    return client.post("/login/", {"username": user.username, "password": "secret-pass-1"})


def test_login_speaks_the_language_chosen_last_time(client, caseworker):
    caseworker.language = "nl"
    caseworker.save()
    response = login(client, caseworker)
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    assert 'lang="nl"' in client.get("/work/").content.decode()


def test_a_language_chosen_on_the_login_page_is_remembered(client, caseworker):
    login(client, caseworker, **{settings.LANGUAGE_COOKIE_NAME: "ar"})
    caseworker.refresh_from_db()
    assert caseworker.language == "ar"


def test_the_switcher_saves_the_choice_on_the_account(client, caseworker):
    login(client, caseworker)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/work/"})
    caseworker.refresh_from_db()
    assert caseworker.language == "fr"
    client.post("/i18n/setlang/", {"language": "xx", "next": "/work/"})
    caseworker.refresh_from_db()
    assert caseworker.language == "fr"


def test_wrong_password_shows_the_form_again(client, caseworker):
    response = client.post("/login/", {"username": caseworker.username, "password": "nope"})
    assert response.status_code == 200
    assert "id_username" in response.content.decode()
