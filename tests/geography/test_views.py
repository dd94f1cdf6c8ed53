import pytest
from django.urls import reverse

from phteah.accounts.models import User

CHILDREN = reverse("geography:children")
SEARCH = reverse("geography:search")


@pytest.fixture
def case_worker(places, member, signed_in):
    """A signed-in case worker (the geography fixture loaded)."""
    membership = member()
    return signed_in(membership)


@pytest.mark.parametrize("url", [CHILDREN + "?level=district&parent=02", SEARCH])
def test_it_requires_sign_in(client, places, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", [CHILDREN + "?level=district&parent=02", SEARCH])
def test_it_requires_an_organisation(client, places, url):
    user = User.objects.create_user(
        email="alone@example.test", password="x-long-password", full_name="Alone"
    )
    client.force_login(user)
    assert client.get(url).status_code == 404


def test_children_lists_the_districts_of_a_province(case_worker):
    response = case_worker.get(CHILDREN, {"level": "district", "parent": "02"})
    assert response.status_code == 200
    assert response.json() == {
        "results": [{"key": "0201", "code": "0201", "name_km": "បាណន់", "name_en": "Banan"}]
    }
    assert "private" in response["Cache-Control"]


def test_children_accepts_khmer_digits(case_worker, places):
    response = case_worker.get(CHILDREN, {"level": "village", "parent": "០២០១០១"})
    assert response.json() == {
        "results": [
            {
                "key": str(places["thmei"].pk),
                "code": "02010101",
                "name_km": "ថ្មី",
                "name_en": "Thmei",
            },
            {
                "key": str(places["tuol"].pk),
                "code": "02010102",
                "name_km": "ទួលធ្នង់",
                "name_en": "Tuol Thnung",
            },
        ]
    }


def test_children_give_each_village_sharing_a_code_its_own_key(case_worker, shared_codes):
    response = case_worker.get(CHILDREN, {"level": "village", "parent": "020101"})
    rows = [(row["key"], row["code"], row["name_en"]) for row in response.json()["results"]]
    assert rows[2:] == [
        (str(shared_codes["kbal_kaoh"].pk), "02010103", "Kbal Kaoh"),
        (str(shared_codes["tuol_svay"].pk), "02010103", "Tuol Svay"),
    ]
    assert len({key for key, _code, _name in rows}) == len(rows) == 4


def test_children_lists_the_provinces_without_a_parent(case_worker):
    response = case_worker.get(CHILDREN, {"level": "province"})
    results = response.json()["results"]
    assert [(row["key"], row["code"]) for row in results] == [("02", "02"), ("12", "12")]


def test_children_of_an_unknown_parent_are_empty(case_worker):
    response = case_worker.get(CHILDREN, {"level": "commune", "parent": "9999"})
    assert response.status_code == 200
    assert response.json() == {"results": []}


@pytest.mark.parametrize(
    "params", [{"level": "country", "parent": "02"}, {}, {"level": "district"}]
)
def test_children_rejects_a_bad_request(case_worker, params):
    response = case_worker.get(CHILDREN, params)
    assert response.status_code == 400
    assert "error" in response.json()


def test_children_is_get_only(case_worker):
    assert case_worker.post(CHILDREN + "?level=province").status_code == 405


def test_search_without_a_query_lists_the_provinces(case_worker):
    response = case_worker.get(SEARCH)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Battambang" in body and "ភ្នំពេញ" in body
    assert "Tuol Thnung" not in body


def test_search_finds_places_with_their_full_path(case_worker):
    response = case_worker.get(SEARCH, {"q": "tuol"})
    body = response.content.decode()
    assert "02010102" in body
    assert "Tuol Thnung, Kantueu Muoy, Banan, Battambang" in body
    assert 'data-label="Level"><span class="badge">Village</span>' in body
    assert "Phnom Penh" not in body


def test_search_by_khmer_name_and_code(case_worker):
    assert "Phnom Penh" in case_worker.get(SEARCH, {"q": "ភ្នំ"}).content.decode()
    body = case_worker.get(SEARCH, {"q": "០២០១"}).content.decode()
    assert "Kantueu Muoy" in body and "Chamkar Mon" not in body


def test_search_says_when_nothing_matches(case_worker):
    body = case_worker.get(SEARCH, {"q": "nowhere"}).content.decode()
    assert "No place matches." in body


def test_search_page_has_no_inline_script_or_style(case_worker):
    body = case_worker.get(SEARCH, {"q": "b"}).content.decode()
    assert "<script>" not in body and "style=" not in body
