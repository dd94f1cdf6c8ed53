"""The case worker's whole journey in headless chromium: register a child, open a case,
record consent, an initial assessment, a placement and a home visit, and see all of it on
the case page's timeline, newest first. Screenshots of the case page at phone and desktop
width go to test-artifacts/ for a human to look at (taken before the assertions that could
fail, so that a failing run still leaves them behind).

The UI is driven in English (the case worker's language is set to "en") so the selectors and
assertions read as the labels do; a last screenshot shows the same case page in Khmer."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from phteah.demo.network import DEMO_PASSWORD, demo_network_create
from phteah.geography.services import geography_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CASE_WORKER = "caseworker@fbc.test"
SUPERVISOR = "supervisor@fbc.test"
PHONE = (390, 844)
DESKTOP = (1280, 800)
FOSTER_FAMILY = "Family Chan Sophal"

HORIZONTAL_OVERFLOW_JS = (
    "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
)


@pytest.fixture
def casework_setup(transactional_db):
    """Places, the demo network (FBC gets default domains, services and rules), the FBC case
    worker in English, and one foster family of FBC's to place the child with. Created before
    `browser` starts Playwright (see conftest). Returns what the journey needs to know."""
    from django.utils import timezone

    from phteah.accounts.models import Membership, User
    from phteah.care import services as care_services

    geography_load()
    demo_network_create()
    User.objects.filter(email=CASE_WORKER).update(language="en")
    worker = Membership.objects.select_related("organisation", "user").get(user__email=CASE_WORKER)
    care_services.provider_create(
        actor=worker, kind="foster_family", name=FOSTER_FAMILY, capacity=2
    )
    supervisor = User.objects.get(email=SUPERVISOR)
    return {
        "today": timezone.localdate(),
        "worker_name": worker.user.full_name,
        "supervisor_name": supervisor.full_name,
    }


def sign_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/account/login/")
    page.locator('input[name="username"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.locator('form.stack button[type="submit"]').click()
    expect(page).to_have_url(f"{base_url}/work/")  # case workers start from My work


def shown(day: datetime.date) -> str:
    """A date as English pages show it: 2 December 2026."""
    return f"{day.day} {day:%B %Y}"


def exactly(page, label: str):
    """The field whose whole label is *label* (Django adds a colon to field labels)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def expect_success(page, text: str) -> None:
    expect(page.locator(".messages .msg-success")).to_contain_text(text)


def choose_address(page, province_code: str) -> None:
    """The address picker: a province, then the first district, commune and village, each
    fetched by the page's script once the level above is chosen."""
    page.select_option("#id_village_province", province_code)
    for lower in ("#id_village_district", "#id_village_commune", "#id_village"):
        first = page.locator(f"{lower} option").nth(1)
        first.wait_for(state="attached")
        expect(page.locator(lower)).to_be_enabled()
        page.select_option(lower, first.get_attribute("value"))


def register_child(page, today: datetime.date) -> None:
    page.locator("details.menu > summary", has_text="Menu").click()
    page.get_by_role("link", name="Register a child or adult").click()
    expect(page.locator("h1")).to_have_text("Register a person")

    page.get_by_label("Family name in Khmer").fill("សុខ")
    page.get_by_label("Given name in Khmer").fill("ស្រីនាង")
    page.get_by_label("Family name in Latin letters").fill("Sok")
    page.get_by_label("Given name in Latin letters").fill("Sreyneang")
    page.get_by_label("Female", exact=True).check()
    exactly(page, "Date of birth").fill(f"{today.year - 9}-01-01")
    page.get_by_label("The date of birth is estimated").check()
    choose_address(page, "02")  # Battambang, one of FBC's provinces
    page.get_by_label("House, street and other details").fill("Near the pagoda")
    page.get_by_role("button", name="Register", exact=True).click()

    confirm = page.get_by_role("button", name="This is a new person: register")
    expect(page.locator(".messages .msg-success").or_(confirm)).to_be_visible()
    if confirm.is_visible():  # the duplicate check found look-alikes: this one is new
        confirm.click()
    expect_success(page, "The person was registered.")
    expect(page.locator("h1")).to_have_text("Sok Sreyneang")
    expect(page.locator(".person-name[lang=km]")).to_have_text("សុខ ស្រីនាង")


def open_case(page, supervisor_name: str, worker_name: str) -> str:
    """Cases → Open a case → find the person → the case form. Returns the case's URL."""
    page.locator("details.menu > summary", has_text="Menu").click()
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Cases", exact=True
    ).click()
    page.get_by_role("link", name="Open a case").click()
    page.get_by_label("Find the person by name").fill("Sreyneang")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Sok Sreyneang").click()
    expect(page.locator("form.stack")).to_be_visible()

    # Nothing is chosen for the user: each list starts on "Choose…".
    for label in ("Programme", "Risk level"):
        expect(page.get_by_label(label).locator("option:checked")).to_have_text("Choose…")
    expect(exactly(page, "Referred by").locator("option:checked")).to_have_text("Choose…")
    page.get_by_label("Programme").select_option(label="Emergency intervention")
    exactly(page, "Referred by").select_option(label="Commune council")
    page.get_by_label("Referrer's name or agency").fill("CCWC Svay Kang")
    page.get_by_label("Reason for referral").fill(
        "Found alone at the market; the mother works in Thailand."
    )
    expect(page.get_by_label("Date identified")).not_to_have_value("")
    expect(page.get_by_label("Time identified")).not_to_have_value("")
    page.get_by_label("Risk level").select_option(label="High")
    page.get_by_label("Supervisor").select_option(label=supervisor_name)
    main_worker = page.get_by_label("Main case worker")
    expect(main_worker.locator("option:checked")).to_have_text(worker_name)
    page.get_by_role("button", name="Open the case").click()

    expect_success(page, "was opened.")
    expect(page.locator("h1 small")).to_have_text(re.compile(r"^FBC-\d{4}-\d{4}$"))
    expect(page.locator(".case-glance dl .badge")).to_have_text("Registered")
    return page.url


def open_fold(page, fold_id: str) -> None:
    """Open a fold of the case page (closed when the page opens on a phone) with a tap."""
    fold = page.locator(f"details#{fold_id}")
    if fold.get_attribute("open") is None:
        fold.locator("> summary").click()
    expect(fold).to_have_attribute("open", "")


def record_consent(page, case_url: str, today: datetime.date) -> None:
    open_fold(page, "fold-person")
    page.get_by_role("link", name="Record a consent").click()
    expect(page.locator("h1")).to_have_text("Record a consent")
    page.get_by_label("Parent or guardian consent").check()
    page.get_by_label("Given by (name)").fill("Sok Chanthy (aunt)")
    page.get_by_label("Date given").fill(today.isoformat())
    page.get_by_label("Receiving services").check()
    page.get_by_label("Verbal, witnessed").check()
    exactly(page, "Witness").fill("Keo Bopha, village chief")
    page.get_by_role("button", name="Save").click()
    expect_success(page, "The consent was recorded.")
    # Opened from the case page, the consent form comes back to it.
    expect(page).to_have_url(case_url)


def record_assessment(page, today: datetime.date) -> None:
    open_fold(page, "fold-case")
    page.get_by_role("link", name="Add an assessment").click()
    expect(page.locator("h1")).to_have_text("Add an assessment")
    expect(page.get_by_label("Kind of assessment").locator("option:checked")).to_have_text(
        "Initial"
    )
    expect(exactly(page, "Date")).to_have_value(today.strftime("%d/%m/%Y"))
    page.get_by_label("Risk level").select_option(label="Medium")
    rows = page.locator("fieldset.score-row")
    expect(rows.first).to_be_visible()
    count = rows.count()
    assert count >= 3, f"only {count} assessment domains"
    for index in range(count):
        row = rows.nth(index)
        row.locator(f'input[type="radio"][value="{index % 4 + 1}"]').check()
        row.get_by_label("Reason").fill(f"Observed during the first visit ({index + 1}).")
    page.get_by_label("Summary").fill("Safe with the aunt for now; school interrupted.")
    page.get_by_role("button", name="Save").click()
    expect_success(page, "The assessment was saved.")


def record_placement(page, today: datetime.date) -> None:
    open_fold(page, "fold-care")
    page.get_by_role("link", name="Record a placement").click()
    expect(page.locator("h1")).to_have_text("Record a placement")
    page.get_by_label("Care type").select_option(label="Emergency foster care")
    provider = page.get_by_label("Care provider")
    expect(provider).to_be_enabled()
    # Offered with its kind and places taken: "<name> (Foster family, 0 of 2 places taken)".
    option = provider.locator("option", has_text=FOSTER_FAMILY)
    expect(option).to_have_text(f"{FOSTER_FAMILY} (Foster family, 0 of 2 places taken)")
    provider.select_option(option.get_attribute("value"))
    expect(page.get_by_label("Start")).to_have_value(today.strftime("%d/%m/%Y"))
    page.get_by_label("Reason").fill("No safe relative able to care for her this week.")
    page.get_by_role("button", name="Save the placement").click()
    expect_success(page, "The placement was recorded.")


def record_visit(page, today: datetime.date) -> None:
    open_fold(page, "fold-records")
    page.get_by_role("link", name="Record a visit").click()
    expect(page.locator("h1")).to_have_text("Record a visit or call")
    expect(exactly(page, "Date")).to_have_value(today.strftime("%d/%m/%Y"))
    # Suggested by the demo organisation's rules: a medium-risk child (the initial
    # assessment) in emergency foster care is visited at least every 14 days (the shorter of
    # the risk rule, 14, and the care-type rule, 30).
    expect(page.get_by_label("Next visit due")).to_have_value(
        (today + datetime.timedelta(days=14)).strftime("%d/%m/%Y")
    )
    expect(page.get_by_label("Home visit")).to_be_checked()
    page.get_by_label("Who was seen").fill("the child, the foster mother")
    page.get_by_label("Attending school").check()
    page.get_by_label("Wellbeing notes").fill("Eating well, sleeps through the night.")
    page.get_by_label("Next visit due").fill((today + datetime.timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Save the visit").click()
    expect_success(page, "The visit was recorded.")


def test_case_worker_registers_a_child_and_records_the_casework(
    live_server, casework_setup, new_page, artifacts_dir
):
    today = casework_setup["today"]
    page, watch = new_page(*PHONE, locale="en-US")
    sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    register_child(page, today)
    case_url = open_case(page, casework_setup["supervisor_name"], casework_setup["worker_name"])
    record_consent(page, case_url, today)
    record_assessment(page, today)
    record_placement(page, today)
    record_visit(page, today)

    page.goto(case_url)
    expect(page.locator("#timeline-title")).to_be_visible()
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.screenshot(path=artifacts_dir / "case-page-phone.png", full_page=True)
    phone_overflow = page.evaluate(HORIZONTAL_OVERFLOW_JS)
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    page.screenshot(path=artifacts_dir / "case-page-desktop.png", full_page=True)

    # Everything recorded, newest first (all today: ordered by when it was recorded).
    entries = page.locator("#timeline ol.timeline > li")
    expect(entries.locator(".tl-kind")).to_have_text(
        ["Visit", "Placement started", "Assessment", "Consent recorded", "Case opened"]
    )
    expect(entries.nth(0).locator(".tl-summary")).to_have_text(
        "Home visit · the child, the foster mother"
    )
    expect(entries.nth(1).locator(".tl-summary")).to_have_text(
        f"Emergency foster care · {FOSTER_FAMILY}"
    )
    expect(entries.nth(2).locator(".tl-summary")).to_have_text("Initial · Medium")
    expect(entries.nth(3).locator(".tl-summary")).to_have_text(
        "Receiving services · Parent or guardian consent"
    )
    expect(entries.nth(4).locator(".tl-summary")).to_have_text(
        "Emergency intervention · Commune council"
    )
    expect(entries.locator(".tl-date")).to_have_text([shown(today)] * 5)

    # The summary: an initial assessment moves the case on (no goal yet, so not "Planned");
    # its risk level replaces the one given when the case was opened.
    summary = page.locator(".case-glance dl")
    expect(summary.locator(".badge")).to_have_text("Assessed")
    expect(summary.locator(".risk")).to_have_text("Medium")
    expect(summary).to_contain_text(f"Emergency foster care · {FOSTER_FAMILY}")
    expect(page.locator("#care-visits")).to_contain_text(
        f"Next visit due: {shown(today + datetime.timedelta(days=10))}"
    )
    expect(page.locator("#care-visits tbody tr")).to_have_count(1)

    english_console_errors = list(watch.console_errors)

    # The same page in Khmer, for a human to look at (its chart is checked on its own in
    # test_khmer_case_page_draws_the_wellbeing_chart below).
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.locator('form.lang-switch button[value="km"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "km")
    expect(page.locator("#timeline ol.timeline > li")).to_have_count(5)
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.screenshot(path=artifacts_dir / "case-page-km-phone.png", full_page=True)
    km_overflow = page.evaluate(HORIZONTAL_OVERFLOW_JS)

    assert not english_console_errors, english_console_errors
    assert not watch.csp_violations(), watch.csp_violations()
    assert not watch.page_errors, watch.page_errors
    assert not watch.bad_static, f"static files failed: {watch.bad_static}"
    assert phone_overflow <= 0, f"the case page scrolls sideways on a phone by {phone_overflow}px"
    assert km_overflow <= 0, f"the Khmer case page scrolls sideways on a phone by {km_overflow}px"


@pytest.fixture
def assessed_case(casework_setup):
    """An FBC case with two initial/review assessments a month apart (so the chart has
    fractional coordinates on both axes), made through the services before the browser
    starts. Returns the case page's path."""
    from django.utils import timezone

    from phteah.accounts.models import Membership, User
    from phteah.cases import selectors as case_selectors
    from phteah.cases import services as case_services
    from phteah.people import services as people_services

    worker = Membership.objects.get(user__email=CASE_WORKER)
    person = people_services.person_create(
        actor=worker,
        sex="female",
        family_name_km="ចាន់",
        given_name_km="ស្រីពៅ",
        family_name_latin="Chan",
        given_name_latin="Sreypov",
        age_years=7,
    )
    case = case_services.case_open(
        actor=worker,
        person_id=person.pk,
        case_type="emergency",
        referral_source="police",
        referral_reason="Found alone.",
        # Identified before the assessments below (a record cannot predate it).
        identified_at=timezone.now() - datetime.timedelta(days=60),
        risk_level="high",
        workers=[worker.user],
        supervisor=User.objects.get(email=SUPERVISOR),
    )
    case_services.assessment_domains_seed(organisation=worker.organisation_id)
    domains = list(case_selectors.domain_list(actor=worker, active_only=True))
    today = casework_setup["today"]
    for kind, day, score in (
        ("initial", today - datetime.timedelta(days=30), 2),
        ("review", today, 3),
    ):
        case_services.assessment_add(
            actor=worker,
            case_id=case.pk,
            kind=kind,
            assessed_on=day,
            risk_level="medium",
            scores={domain.pk: (score, "Seen at home.") for domain in domains},
        )
    return f"/cases/{case.pk}/"


def test_khmer_case_page_draws_the_wellbeing_chart(live_server, assessed_case, new_page):
    page, watch = new_page(*PHONE, locale="km-KH")
    sign_in(page, live_server.url, CASE_WORKER, DEMO_PASSWORD)
    page.locator('form.lang-switch button[value="km"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "km")
    page.goto(f"{live_server.url}{assessed_case}")
    open_fold(page, "assessments")
    chart = page.locator("#assessments svg.score-line").first
    expect(chart).to_be_visible()

    coordinates = chart.locator("line, circle").evaluate_all(
        "els => els.flatMap(el => ['y1', 'y2', 'cx', 'cy']"
        ".map(name => el.getAttribute(name)).filter(value => value !== null))"
    )
    assert coordinates
    bad = [value for value in coordinates if not re.fullmatch(r"-?\d+(\.\d+)?", value)]
    assert not bad, f"SVG coordinates that are not numbers: {bad[:6]}"
    assert not watch.console_errors, watch.console_errors
