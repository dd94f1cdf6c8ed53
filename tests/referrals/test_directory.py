"""The partner directory's search, the capacity board and a partner's page: ranking by
distance then free places, the age and disability filters, live free places, what is never
shown, and a fixed number of queries whatever the size of the network."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from phteah.accounts.roles import Role
from phteah.care.models import CareProvider
from phteah.core.errors import NotFound
from phteah.referrals.models import PartnerProfile
from phteah.referrals.selectors import (
    capacity_board,
    directory_search,
    organisation_profile_get,
)
from phteah.referrals.selectors.directory import (
    ELSEWHERE,
    NEIGHBOURING_PROVINCE,
    SAME_DISTRICT,
    SAME_PROVINCE,
)
from tests.factories import MembershipFactory

from .support import fill, make_places, provider, published_organisation


@pytest.fixture
def places(db):
    return make_places()


@pytest.fixture
def actor(organisation):
    PartnerProfile.objects.get_or_create(organisation=organisation)
    return MembershipFactory(organisation=organisation, role=Role.CASE_WORKER)


def _names(results):
    return [result.organisation.name for result in results]


def test_it_ranks_by_district_province_neighbour_then_elsewhere(actor, places):
    for name, district in (
        ("Far", "0201"),
        ("Neighbour", "0801"),
        ("Province", "1202"),
        ("District", "1201"),
    ):
        provider(published_organisation(name), places[f"v{district}"])
    results = directory_search(actor=actor, care_type="emergency_foster", district=places["1201"])
    assert _names(results) == ["District", "Province", "Neighbour", "Far"]
    assert [r.rank for r in results] == [
        SAME_DISTRICT,
        SAME_PROVINCE,
        NEIGHBOURING_PROVINCE,
        ELSEWHERE,
    ]


def test_within_a_rank_more_free_places_come_first(actor, places):
    provider(published_organisation("Two"), places["v1201"], capacity=2)
    provider(published_organisation("Five"), places["v1201"], capacity=5)
    few = provider(published_organisation("One of three"), places["v1201"], capacity=3)
    fill(few, 2)
    results = directory_search(actor=actor, care_type="emergency_foster", province=places["12"])
    assert _names(results) == ["Five", "Two", "One of three"]
    assert [r.free for r in results] == [5, 2, 1]


def test_free_places_add_up_per_district_and_care_type(actor, places):
    organisation = published_organisation("Network")
    provider(organisation, places["v1201"], capacity=2)
    provider(organisation, places["v1201"], capacity=3)
    provider(
        organisation,
        places["v0801"],
        capacity=4,
        kind=CareProvider.Kind.TEMPORARY_CENTRE,
        care_types=(("temporary_centre", 0, 17, True),),
    )
    (result,) = directory_search(actor=actor, district=places["1201"])
    assert result.rank == SAME_DISTRICT
    assert result.free == 9
    assert {(p.care_type, p.district_code, p.free) for p in result.places} == {
        ("emergency_foster", "1201", 5),
        ("temporary_centre", "0801", 4),
    }


def test_age_and_disability_filter_the_places(actor, places):
    provider(
        published_organisation("Babies"),
        places["v1201"],
        care_types=[("emergency_foster", 0, 5, True)],
    )
    provider(
        published_organisation("Teenagers"),
        places["v1201"],
        care_types=[("emergency_foster", 12, 17, True)],
    )
    provider(
        published_organisation("No access"),
        places["v1201"],
        care_types=[("emergency_foster", 0, 5, False)],
    )
    assert _names(directory_search(actor=actor, care_type="emergency_foster", age=2)) == [
        "Babies",
        "No access",
    ]
    assert _names(
        directory_search(actor=actor, care_type="emergency_foster", age=2, disability=True)
    ) == ["Babies"]
    assert _names(directory_search(actor=actor, age=17)) == ["Teenagers"]
    assert _names(directory_search(actor=actor, age=5, disability=True)) == ["Babies"]
    assert directory_search(actor=actor, care_type="temporary_centre") == []


def test_ended_and_voided_placements_free_their_place(actor, places):
    full = provider(published_organisation("Full"), places["v1201"], capacity=2)
    ended, voided = fill(full, 2)
    assert directory_search(actor=actor, care_type="emergency_foster") == []
    ended.ended_on = timezone.localdate()
    ended.save()
    (result,) = directory_search(actor=actor, care_type="emergency_foster")
    assert result.free == 1
    voided.voided_at = timezone.now()
    voided.voided_by = ended.recorded_by
    voided.void_reason = "Recorded in the wrong case."
    voided.save()
    (result,) = directory_search(actor=actor, care_type="emergency_foster")
    assert result.free == 2


def test_a_provider_over_capacity_counts_no_place_and_takes_none_from_others(actor, places):
    organisation = published_organisation("Mixed")
    over = provider(organisation, places["v1201"], capacity=1)
    fill(over, 3)
    provider(organisation, places["v1201"], capacity=2)
    (result,) = directory_search(actor=actor, care_type="emergency_foster")
    assert result.free == 2
    assert capacity_board(actor=actor).total == 2


def test_a_provider_of_several_care_types_counts_its_places_under_each(actor, places):
    # The open placements are counted once per provider and joined to each of its care types.
    organisation = published_organisation("Several")
    both = (("emergency_foster", 0, 17, False), ("long_term_foster", 0, 17, False))
    home = provider(organisation, places["v1201"], capacity=4, care_types=both)
    ended, _open, _other = fill(home, 3)
    ended.ended_on = timezone.localdate()
    ended.save()
    full = provider(organisation, places["v0801"], capacity=1, care_types=both)
    fill(full, 2)
    provider(organisation, None, capacity=3, care_types=both)  # no address, none placed
    (result,) = directory_search(actor=actor)
    assert {(p.care_type, p.free) for p in result.places} == {
        ("emergency_foster", 5),
        ("long_term_foster", 5),
    }
    (result,) = directory_search(actor=actor, district=places["1201"])
    assert [(p.care_type, p.district_code, p.free) for p in result.places] == [
        ("emergency_foster", "1201", 2),
        ("long_term_foster", "1201", 2),
        ("emergency_foster", None, 3),
        ("long_term_foster", None, 3),
    ]
    page = organisation_profile_get(actor=actor, organisation_id=organisation.pk)
    assert page.free == 10
    board = capacity_board(actor=actor)
    assert [(row["code"], [n for _l, n in row["cells"]]) for row in board.rows] == [
        ("12", [2, 2]),
        (None, [3, 3]),
    ]
    assert board.total == 10


def test_unpublished_organisations_and_providers_never_appear(actor, places):
    provider(published_organisation("Hidden", published=False), places["v1201"], capacity=9)
    shown = published_organisation("Shown")
    provider(shown, places["v1201"], capacity=1)
    provider(shown, places["v1201"], capacity=7, published=False)
    provider(shown, places["v1201"], capacity=5, active=False)
    inactive = published_organisation("Closed down")
    inactive.is_active = False
    inactive.save()
    provider(inactive, places["v1201"], capacity=3)

    results = directory_search(actor=actor, care_type="emergency_foster")
    assert _names(results) == ["Shown"]
    assert results[0].free == 1
    assert _names(directory_search(actor=actor)) == ["Shown"]
    assert capacity_board(actor=actor).total == 1


def test_without_a_place_asked_for_every_published_organisation_is_listed(actor, places):
    published_organisation("Counselling only", services=["counselling"], provinces=[places["12"]])
    published_organisation("Elsewhere", services=["counselling"])
    published_organisation("Other service", services=["legal_aid"])
    results = directory_search(actor=actor, province=places["12"], service_code="counselling")
    assert _names(results) == ["Counselling only", "Elsewhere"]
    assert [r.rank for r in results] == [SAME_PROVINCE, ELSEWHERE]
    assert results[0].places == []


def test_the_service_filter_applies_to_places_too(actor, places):
    provider(published_organisation("With", services=["counselling"]), places["v1201"])
    provider(published_organisation("Without"), places["v1201"])
    results = directory_search(
        actor=actor, care_type="emergency_foster", service_code="counselling"
    )
    assert _names(results) == ["With"]
    assert [service.code for service in results[0].services] == ["counselling"]


def test_an_organisation_ranks_by_where_it_works_when_its_places_are_farther(actor, places):
    organisation = published_organisation("Works in Phnom Penh", provinces=[places["12"]])
    provider(organisation, places["v0201"])
    (result,) = directory_search(actor=actor, care_type="emergency_foster", province=places["12"])
    assert result.rank == SAME_PROVINCE
    assert [place.rank for place in result.places] == [ELSEWHERE]


def test_the_capacity_board_counts_per_province_and_care_type(actor, places):
    first = published_organisation("First")
    second = published_organisation("Second")
    provider(first, places["v1201"], capacity=2)
    provider(second, places["v1202"], capacity=3)
    provider(
        second,
        places["v0201"],
        capacity=4,
        kind=CareProvider.Kind.TEMPORARY_CENTRE,
        care_types=(("temporary_centre", 0, 17, False),),
    )
    provider(first, None, capacity=1)
    board = capacity_board(actor=actor)
    assert [label for _value, label in board.care_types] == [
        "Emergency foster care",
        "Temporary (transit) centre",
    ]
    assert [(row["code"], [n for _l, n in row["cells"]], row["total"]) for row in board.rows] == [
        ("02", [0, 4], 4),
        ("12", [5, 0], 5),
        (None, [1, 0], 1),
    ]
    assert board.totals == [6, 4]
    assert board.total == 10


def test_a_partner_page_is_for_published_profiles_and_ones_own(actor, places):
    hidden = published_organisation("Hidden", published=False)
    with pytest.raises(NotFound):
        organisation_profile_get(actor=actor, organisation_id=hidden.pk)
    with pytest.raises(NotFound):
        organisation_profile_get(actor=actor, organisation_id="not-a-uuid")
    own = organisation_profile_get(actor=actor, organisation_id=actor.organisation_id)
    assert own.profile.organisation_id == actor.organisation_id
    shown = published_organisation("Shown")
    provider(shown, places["v1201"], capacity=3)
    page = organisation_profile_get(actor=actor, organisation_id=shown.pk)
    assert page.free == 3


# --- what the pages show -----------------------------------------------------------------


@pytest.fixture
def network_with_children(actor, places):
    """A partner with a child placed: the child's names, the case reference and the
    provider's name must never reach another organisation's pages."""
    partner = published_organisation("Partner", services=["counselling"])
    home = provider(partner, places["v1201"], capacity=3, name="Secret Foster Home")
    (placement,) = fill(home, 1)
    return placement


def test_no_child_or_provider_is_named_on_the_network_pages(
    client, signed_in, actor, network_with_children
):
    placement = network_with_children
    person = placement.case.person
    signed_in(actor)
    pages = [
        reverse("referrals:directory"),
        reverse("referrals:directory") + "?care_type=emergency_foster&age=%E1%9F%A2",
        reverse("referrals:capacity"),
        reverse("referrals:organisation_detail", args=[placement.organisation_id]),
    ]
    for url in pages:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, url
        html = response.content.decode()
        for secret in (
            person.given_name_latin,
            person.family_name_km + person.given_name_km,
            placement.case.reference,
            "Secret Foster Home",
            str(placement.case_id),
            str(placement.provider_id),
        ):
            assert secret not in html, (url, secret)
    assert "Partner" in client.get(pages[1]).content.decode()


def test_khmer_digits_are_accepted_for_the_age(client, signed_in, actor, network_with_children):
    signed_in(actor)
    response = client.get(reverse("referrals:directory"), {"age": "៤០"})
    assert response.status_code == 200
    assert response.context["results"] is None
    assert response.context["form"].errors["age"]
    response = client.get(
        reverse("referrals:directory"), {"age": "២", "care_type": "emergency_foster"}
    )
    assert [r.organisation.name for r in response.context["results"]] == ["Partner"]


def test_a_district_outside_the_province_is_refused(client, signed_in, actor, places):
    signed_in(actor)
    response = client.get(reverse("referrals:directory"), {"province": "02", "district": "1201"})
    assert response.status_code == 200
    assert response.context["form"].errors["district"]


# --- query counts --------------------------------------------------------------------------


def _network(places, size):
    for index in range(size):
        organisation = published_organisation(
            f"Partner {len(PartnerProfile.objects.all())}-{index}",
            services=["counselling", "legal_aid"],
            provinces=[places["12"]],
        )
        for district in ("1201", "0801", "0201"):
            row = provider(organisation, places[f"v{district}"], capacity=3)
            fill(row, 1)


@pytest.mark.parametrize("size", [2, 10])
def test_the_search_takes_the_same_queries_whatever_the_network(
    actor, places, size, django_assert_num_queries
):
    _network(places, size)
    with django_assert_num_queries(3):
        results = directory_search(
            actor=actor, care_type="emergency_foster", age=2, district=places["1201"]
        )
        for result in results:
            [service.code for service in result.services]
    assert len(results) == size
    with django_assert_num_queries(3):
        directory_search(actor=actor, service_code="counselling", province=places["12"])
    with django_assert_num_queries(1):
        capacity_board(actor=actor)


@pytest.mark.parametrize("size", [2, 10])
def test_the_pages_take_the_same_queries_whatever_the_network(
    client, signed_in, actor, places, size, django_assert_max_num_queries
):
    _network(places, size)
    signed_in(actor)
    client.get(reverse("referrals:directory"))  # the session and membership are warm
    for url in (
        reverse("referrals:directory") + "?care_type=emergency_foster&province=12&district=1201",
        reverse("referrals:capacity"),
    ):
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200


def test_the_search_page_query_count_does_not_grow(client, signed_in, actor, places):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    signed_in(actor)
    url = reverse("referrals:directory") + "?care_type=emergency_foster&province=12&district=1201"
    counts = []
    for size in (2, 10):
        _network(places, size)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_directory_dates_are_not_needed(actor):
    # An actor-less call (a task) reads nothing.
    assert directory_search(actor=None) == []
    assert capacity_board(actor=None).total == 0
    assert datetime.date.today()


def test_the_district_list_is_the_chosen_provinces(client, signed_in, actor, places):
    signed_in(actor)
    response = client.get(reverse("referrals:directory"))
    assert list(response.context["form"].fields["district"].queryset) == []
    response = client.get(reverse("referrals:directory"), {"province": "12"})
    districts = response.context["form"].fields["district"].queryset
    assert sorted(d.code for d in districts) == ["1201", "1202"]
    response = client.get(reverse("referrals:directory"), {"district": "1201"})
    assert response.context["form"].errors["district"]


def test_a_long_directory_is_cut_to_the_nearest(client, signed_in, actor, places):
    from phteah.referrals.views import PAGE_SIZE

    for index in range(PAGE_SIZE + 2):
        published_organisation(f"Partner {index:02d}")
    signed_in(actor)
    response = client.get(reverse("referrals:directory"))
    assert len(response.context["results"]) == PAGE_SIZE
    assert response.context["more"] is True
