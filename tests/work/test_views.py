from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from phteah.accounts.roles import Role
from phteah.care.models import CareRule
from phteah.care.services import care_rules_seed
from phteah.cases.models import Case
from phteah.core.models import AuditEvent
from tests.factories import CaseFactory
from tests.factories import dated_placement as placement

from ..conftest import sign_in

DAY = timedelta(days=1)


@pytest.fixture
def worker(member, organisation):
    care_rules_seed(organisation=organisation)
    return member(Role.CASE_WORKER)


def overdue_cases(organisation, worker, supervisor, n, *, name="Dara"):
    today = timezone.localdate()
    cases = []
    for index in range(n):
        case = CaseFactory(
            organisation=organisation,
            workers=[worker.user],
            supervisor=supervisor.user,
            opened_on=today - 400 * DAY,
            identified_at=timezone.now() - 400 * DAY,
            risk_level="low",
            person__given_name_latin=f"{name}{index}",
        )
        placement(case, "temporary_centre", today - 200 * DAY)
        cases.append(case)
    return cases


@pytest.mark.django_db
def test_my_work_lists_my_overdue_cases(client, organisation, worker, supervisor, member):
    mine = overdue_cases(organisation, worker, supervisor, 2)
    other = member(Role.CASE_WORKER)
    overdue_cases(organisation, other, supervisor, 1, name="Someone")
    sign_in(client, worker.user)
    response = client.get(reverse("work:my_work"))
    assert response.status_code == 200
    text = response.content.decode()
    assert mine[0].reference in text and "Dara0" in text
    assert "Someone" not in text
    assert "Overdue visits" in text and "Placements past their limit" in text
    assert "Closures waiting for approval" not in text  # only for approvers


@pytest.mark.django_db
def test_supervisors_see_approvals_waiting_in_my_work(
    client, organisation, worker, supervisor, member
):
    case = overdue_cases(organisation, worker, supervisor, 1)[0]
    Case.objects.filter(pk=case.pk).update(
        closure_requested_on=timezone.localdate(), closure_reason="reintegrated"
    )
    other = member(Role.SUPERVISOR)
    not_mine = overdue_cases(organisation, worker, other, 1, name="Other")[0]
    Case.objects.filter(pk=not_mine.pk).update(
        closure_requested_on=timezone.localdate(), closure_reason="reintegrated"
    )
    sign_in(client, supervisor.user)
    text = client.get(reverse("work:my_work")).content.decode()
    section = text[text.index('id="approvals"') :]
    assert case.reference in section and not_mine.reference not in section
    # the whole list: the closures waiting for this supervisor only
    full = client.get(
        reverse("cases:case_list"), {"due": "approvals", "supervisor": supervisor.user.pk}
    ).content.decode()
    assert case.reference in full and not_mine.reference not in full


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["work:my_work", "work:team"])
def test_pages_use_the_same_number_of_queries_for_3_and_30_cases(
    client, organisation, worker, supervisor, member, url_name
):
    sign_in(client, supervisor.user if url_name == "work:team" else worker.user)
    overdue_cases(organisation, worker, supervisor, 3)
    _queries(client, reverse(url_name))  # the first request of a session does more
    small = _queries(client, reverse(url_name))
    overdue_cases(organisation, worker, supervisor, 27, name="More")
    for _ in range(5):
        member(Role.CASE_WORKER)
    large = _queries(client, reverse(url_name))
    assert small == large


@pytest.mark.django_db
def test_the_team_page_counts_per_member(client, organisation, worker, supervisor, member):
    overdue_cases(organisation, worker, supervisor, 3)
    idle = member(Role.CASE_WORKER)
    sign_in(client, supervisor.user)
    response = client.get(reverse("work:team"))
    rows = {row["member"].pk: row for row in response.context["rows"]}
    cells = dict(rows[worker.pk]["cells"])
    assert cells["Overdue visits"] == 3
    assert cells["Placements past their limit"] == 3
    assert cells["Initial assessments late (over the limit)"] == 3
    assert rows[worker.pk]["total"] == 9
    assert rows[idle.pk]["total"] == 0
    assert response.context["grand_total"] == 9

    detail = client.get(reverse("work:member_work", kwargs={"membership_id": worker.pk}))
    assert detail.status_code == 200
    assert "Dara2" in detail.content.decode()


@pytest.mark.django_db
def test_the_team_pages_are_for_supervisors_of_the_organisation(
    client, worker, supervisor, member, other_organisation
):
    sign_in(client, worker.user)
    assert client.get(reverse("work:team")).status_code == 404
    outsider = member(Role.SUPERVISOR, org=other_organisation)
    sign_in(client, outsider.user)
    url = reverse("work:member_work", kwargs={"membership_id": worker.pk})
    assert client.get(url).status_code == 404


@pytest.fixture
def admin_client(client, member, organisation):
    care_rules_seed(organisation=organisation)
    admin = member(Role.ORG_ADMIN)
    sign_in(client, admin.user)
    return client


@pytest.mark.django_db
def test_the_rule_table_page(admin_client):
    response = admin_client.get(reverse("care:rules"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Temporary (transit) centre" in text and "180 days" in text and "48 hours" in text
    assert "defaults, not law" in text


@pytest.mark.django_db
def test_adding_a_rule_from_the_page(admin_client, organisation):
    data = {"kind": "visit_every", "care_type": "pagoda", "risk_level": "", "value": "២០"}
    response = admin_client.post(reverse("care:rule_add"), data)
    assert response.status_code == 302
    assert CareRule.objects.get(organisation=organisation, care_type="pagoda").value == 20


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "max_stay", "care_type": "", "value": "30"}, "This rule needs a care type."),
        ({"kind": "visit_every", "risk_level": "high", "value": "3"}, "already has this rule"),
        ({"kind": "visit_every", "care_type": "pagoda", "value": "0"}, "at least 1."),
        # beyond any rule (the column would take it, the due dates would leave the calendar)
        ({"kind": "visit_every", "care_type": "pagoda", "value": "99999999"}, "at most 8760."),
        ({"kind": "max_stay", "care_type": "pagoda", "value": "3651"}, "at most 3650 (ten"),
        ({"kind": "initial_target", "value": "8761"}, "at most 8760."),
    ],
)
def test_invalid_rules_show_a_message_and_change_nothing(admin_client, organisation, data, message):
    before = CareRule.objects.filter(organisation=organisation).count()
    response = admin_client.post(reverse("care:rule_add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert CareRule.objects.filter(organisation=organisation).count() == before
    assert not AuditEvent.objects.filter(action__startswith="work.").exists()


@pytest.mark.django_db
def test_changing_removing_and_restoring_rules_from_the_page(admin_client, organisation):
    rule = CareRule.objects.get(organisation=organisation, kind="review_every")
    url = reverse("care:rule_edit", kwargs={"rule_id": rule.pk})
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"value": "0"})
    assert response.status_code == 200 and "at least 1." in response.content.decode()
    response = admin_client.post(url, {"value": "3651"})
    assert response.status_code == 200 and "at most 3650 (ten" in response.content.decode()
    assert admin_client.post(url, {"value": "120"}).status_code == 302
    rule.refresh_from_db()
    assert rule.value == 120

    delete = reverse("care:rule_delete", kwargs={"rule_id": rule.pk})
    assert admin_client.get(delete).status_code == 200  # asks first
    assert admin_client.post(delete).status_code == 200  # not confirmed: asks again
    assert CareRule.objects.filter(pk=rule.pk).exists()
    assert admin_client.post(delete, {"confirm": "yes"}).status_code == 302
    assert not CareRule.objects.filter(pk=rule.pk).exists()

    restore = reverse("care:rules_restore")
    assert admin_client.get(restore).status_code == 200
    assert admin_client.post(restore).status_code == 200
    assert admin_client.post(restore, {"confirm": "yes"}).status_code == 302
    assert CareRule.objects.filter(organisation=organisation).count() == 21
    actions = list(
        AuditEvent.objects.filter(action__startswith="work.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["work.rule.updated", "work.rule.deleted", "work.rules.restored"]


@pytest.mark.django_db
def test_another_organisations_rule_is_not_found(client, member, organisation, other_organisation):
    care_rules_seed(organisation=organisation)
    rule = CareRule.objects.filter(organisation=organisation).first()
    sign_in(client, member(Role.ORG_ADMIN, org=other_organisation).user)
    url = reverse("care:rule_edit", kwargs={"rule_id": rule.pk})
    assert client.post(url, {"value": "3"}).status_code == 404
    rule.refresh_from_db()
    assert rule.value != 3


@pytest.mark.django_db
def test_my_work_shows_the_most_overdue_first_and_links_to_the_whole_list(
    client, organisation, worker, supervisor
):
    from phteah.work.selectors import LIST_LIMIT

    cases = overdue_cases(organisation, worker, supervisor, LIST_LIMIT + 2)
    # the last one has waited longest for a visit
    Case.objects.filter(pk=cases[-1].pk).update(opened_on=timezone.localdate() - 900 * DAY)
    placement(cases[-1], "temporary_centre", timezone.localdate() - 200 * DAY)  # refreshes it
    sign_in(client, worker.user)
    text = client.get(reverse("work:my_work")).content.decode()
    section = text[text.index('id="visits_overdue"') :]
    section = section[: section.index("</section>")]
    assert section.count("<tr") == LIST_LIMIT + 1  # the header and the first ten
    assert section.index(cases[-1].reference) < section.index("</thead>") + 200
    assert f"See all {LIST_LIMIT + 2} cases (2 more)." in section
    link = section.split('<p><a href="')[1].split('"')[0].replace("&amp;", "&")
    assert "due=visits_overdue" in link and f"worker={worker.user.pk}" in link
    full = client.get(link).content.decode()
    assert all(case.reference in full for case in cases)
    assert f"{LIST_LIMIT + 2} cases" in full


@pytest.mark.django_db
def test_the_case_list_filters_by_work_due(client, organisation, worker, supervisor):
    overdue = overdue_cases(organisation, worker, supervisor, 1)[0]
    fresh = CaseFactory(
        organisation=organisation, workers=[worker.user], opened_on=timezone.localdate()
    )
    sign_in(client, supervisor.user)
    url = reverse("cases:case_list")
    for key in ("visits_overdue", "placements_past_limit"):
        text = client.get(url, {"due": key}).content.decode()
        assert overdue.reference in text and fresh.reference not in text
    text = client.get(url, {"due": "approvals"}).content.decode()
    assert overdue.reference not in text
    # the approvals filter is not offered to case workers, and not applied for them
    sign_in(client, worker.user)
    text = client.get(url, {"due": "approvals"}).content.decode()
    assert 'value="approvals"' not in text


@pytest.mark.django_db
def test_each_of_my_rows_opens_the_visit_form_of_its_case_in_one_tap(
    client, organisation, worker, supervisor
):
    cases = overdue_cases(organisation, worker, supervisor, 3)
    sign_in(client, worker.user)
    text = client.get(reverse("work:my_work")).content.decode()
    section = text[text.index('id="visits_overdue"') :]
    section = section[: section.index("</section>")]
    for case in cases:
        href = reverse("cases:visit_add", kwargs={"case_id": case.pk})
        assert f'href="{href}">Record visit</a>' in section
        assert client.get(href).status_code == 200
    # A supervisor looking at a member's work reads it; the button is on one's own work only.
    sign_in(client, supervisor.user)
    url = reverse("work:member_work", kwargs={"membership_id": worker.pk})
    assert "Record visit" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_removing_a_rule_says_what_will_change_first(admin_client, organisation, worker):
    CaseFactory(organisation=organisation, risk_level="high", workers=[worker.user])
    CaseFactory(organisation=organisation, risk_level="low", workers=[worker.user])
    rule = CareRule.objects.get(organisation=organisation, kind="visit_every", risk_level="high")
    page = admin_client.get(reverse("care:rule_delete", kwargs={"rule_id": rule.pk}))
    html = page.content.decode()
    assert "Visit at least every (days)" in html and "Risk level: High" in html
    assert "7 days" in html
    assert "It applies to 1 open case now" in html
    assert "only rule of its kind" not in html
    assert 'name="confirm" value="yes"' in html
    assert not AuditEvent.objects.filter(action__startswith="work.").exists()
    # The last rule of its kind says that nothing of the kind will be due any more.
    review = CareRule.objects.get(organisation=organisation, kind="review_every")
    html = admin_client.get(reverse("care:rule_delete", kwargs={"rule_id": review.pk}))
    assert "only rule of its kind" in html.content.decode()
    # The rule table page links to these pages: no change without the confirmation.
    table = admin_client.get(reverse("care:rules")).content.decode()
    assert f'href="{reverse("care:rule_delete", kwargs={"rule_id": rule.pk})}"' in table
    assert f'href="{reverse("care:rules_restore")}"' in table


@pytest.mark.django_db
def test_restoring_the_defaults_says_what_will_change_first(admin_client, organisation):
    CareRule.objects.filter(organisation=organisation, kind="review_every").update(value=120)
    CareRule.objects.filter(
        organisation=organisation, kind="visit_every", risk_level="high"
    ).delete()
    CareRule.objects.create(
        organisation=organisation, kind="max_stay", care_type="pagoda", value=200
    )
    page = admin_client.get(reverse("care:rules_restore"))
    preview = page.context["preview"]
    assert [row["rule"].care_type for row in preview["removed"]] == ["pagoda"]
    assert [(row["rule"].value, row["new_value"]) for row in preview["changed"]] == [(120, 180)]
    assert [(row["rule"].risk_level, row["rule"].value) for row in preview["added"]] == [
        ("high", 7)
    ]
    assert preview["unchanged"] == 19 and preview["total"] == 21
    html = page.content.decode()
    assert "Removed (not among the defaults)" in html and "Pagoda or faith-based care" in html
    assert "120 days → 180 days" in html
    assert "Added back" in html and "Risk level: High" in html
    assert CareRule.objects.filter(organisation=organisation, care_type="pagoda").exists()
    assert not AuditEvent.objects.filter(action__startswith="work.").exists()
