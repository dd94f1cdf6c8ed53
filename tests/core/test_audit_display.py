"""The audit trail in the reader's language (phteah.core.audit.display): one stored,
language-neutral event shown in English and in Khmer; every kind of value; records that are
gone or not the reader's; access events that must not say who tried; one query per kind of
row whatever the number of events; a sentence for every action code written in src."""

import ast
import datetime
import json
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

import phteah
from phteah.accounts.roles import Role
from phteah.care.models import Carer, Placement
from phteah.cases.models import AssessmentDomain, Case, RiskLevel, Visit
from phteah.core.access import DENIED_PER_HOUR, access_denied
from phteah.core.audit import MASK, audit_access, audit_log, audited_atomic
from phteah.core.audit.display import events_shown
from phteah.core.audit_actions import Registry, registry
from phteah.core.models import AuditEvent
from phteah.geography.models import Commune, District, Province, Village
from phteah.geography.normalise import search_form
from phteah.people.models import Sex
from tests.factories import CareProviderFactory, CarerFactory

from ..factories import CaseFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _place(model, code, name_km, name_en, **parent):
    return model.objects.create(
        code=code,
        name_km=name_km,
        name_en=name_en,
        search_km=search_form(name_km),
        search_en=search_form(name_en),
        **parent,
    )


@pytest.fixture
def village(db):
    province = _place(Province, "14", "ព្រៃវែង", "Prey Veng")
    district = _place(District, "1401", "បាភ្នំ", "Ba Phnum", province=province)
    commune = _place(Commune, "140101", "ជើងភ្នំ", "Cheung Phnum", district=district)
    return _place(Village, "14010101", "អង្គរង", "Angkrong", commune=commune)


@pytest.fixture
def worker(member):
    return member(Role.CASE_WORKER, user=UserFactory(full_name="Lim Vanna", full_name_km="លីម វណ្ណា"))


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _written(**kwargs) -> AuditEvent:
    """One event written as a service writes it, read back from the database (as the audit
    pages read it)."""
    with audited_atomic():
        event = audit_log(**kwargs)
    return AuditEvent.objects.select_related("actor").get(pk=event.pk)


def _shown(event, organisation, language="en"):
    (shown,) = events_shown([event], organisation_id=organisation.pk, language=language)
    return shown


def _changes(shown) -> dict:
    return {change.label: (change.before, change.after) for change in shown.changes}


class TestOneEventInEachLanguage:
    @pytest.fixture
    def registered(self, organisation, worker, village):
        person = PersonFactory(
            organisation=organisation,
            family_name_km="សុខ",
            given_name_km="ស្រីពៅ",
            family_name_latin="Sok",
            given_name_latin="Sreypov",
            village=village,
            sex=Sex.FEMALE,
            date_of_birth=datetime.date(2014, 5, 2),
        )
        return _written(
            actor=worker.user,
            organisation=organisation,
            action="people.person.created",
            target=person,
            changes={
                "family_name_latin": [None, "Sok"],
                "sex": [None, "female"],
                "date_of_birth": [None, "2014-05-02"],
                "village": [None, village.pk],
                "has_disability": [None, False],
            },
        )

    def test_english(self, registered, organisation):
        shown = _shown(registered, organisation, "en")
        assert shown.sentence == "Lim Vanna registered Sok Sreypov."
        changes = _changes(shown)
        assert changes["sex"] == ("—", "Female")
        assert changes["date of birth"] == ("—", "2 May 2014")
        assert changes["current village"] == ("—", "Angkrong, Cheung Phnum, Ba Phnum, Prey Veng")
        assert changes["has a disability"] == ("—", "no")

    def test_khmer_from_the_same_stored_event(self, registered, organisation):
        stored = (registered.changes, registered.data)
        shown = _shown(registered, organisation, "km")
        assert (registered.changes, registered.data) == stored  # nothing rewritten
        assert "លីម វណ្ណា" in shown.sentence and "សុខ ស្រីពៅ" in shown.sentence
        assert "Lim Vanna" not in shown.sentence and "Sreypov" not in shown.sentence
        values = [change.after for change in shown.changes]
        assert "អង្គរង, ជើងភ្នំ, បាភ្នំ, ព្រៃវែង" in values
        with translation.override("km"):
            female = str(Sex.FEMALE.label)
            khmer_no = translation.gettext("no")
        assert female != "Female" and female in values
        assert khmer_no in values
        assert shown.target == "សុខ ស្រីពៅ"

    def test_a_page_of_events_in_one_language_whatever_was_active(self, registered, organisation):
        with translation.override("en"):
            shown = _shown(registered, organisation, "km")
        assert "សុខ ស្រីពៅ" in shown.sentence


class TestValues:
    def test_the_assessment_scores_name_their_domains(self, organisation, worker):
        from phteah.cases.services import assessment_domains_seed

        assessment_domains_seed(organisation=organisation)
        food = AssessmentDomain.objects.get(organisation=organisation, code="food_security")
        shelter = AssessmentDomain.objects.get(organisation=organisation, code="shelter")
        case = CaseFactory(organisation=organisation)
        event = _written(
            actor=worker.user,
            organisation=organisation,
            action="cases.assessment.created",
            target=case,
            changes={"scores": [None, {"food_security": 3, "shelter": 2}]},
        )
        english = _changes(_shown(event, organisation, "en"))["scores"][1]
        assert english == f"{food.name_en}: 3 · {shelter.name_en}: 2"
        khmer = _shown(event, organisation, "km").changes[0].after
        assert food.name_km in khmer and shelter.name_km in khmer
        assert "food_security" not in english + khmer and "{" not in english + khmer

    def test_codes_ids_dates_lists_flags_and_secrets(self, organisation, worker, member):
        supervisor = member(
            Role.SUPERVISOR, user=UserFactory(full_name="Keo Sophea", full_name_km="កែវ សុភា")
        )
        case = CaseFactory(organisation=organisation, reference="FB-2026-0007")
        event = _written(
            actor=supervisor.user,
            organisation=organisation,
            action="cases.case.updated",
            target=case,
            changes={
                "risk_level": ["high", "low"],
                "supervisor": [None, str(supervisor.user_id)],
                "case_workers": [[], [str(worker.user_id), str(supervisor.user_id)]],
                "identified_at": [None, "2026-03-01T02:30:00+00:00"],
                "api_token": ["old", "new"],
            },
        )
        assert event.changes["api_token"] == MASK  # masked when written
        changes = _changes(_shown(event, organisation, "en"))
        assert changes["risk level"] == ("High", "Low")
        assert changes["supervisor"] == ("—", "Keo Sophea")
        assert changes["case workers"] == ("—", "Lim Vanna, Keo Sophea")
        assert changes["identified at"][1].startswith("1 March 2026")
        assert changes["api token"] == ("hidden", "hidden")
        khmer = _changes(_shown(event, organisation, "km"))
        with translation.override("km"):
            high = str(RiskLevel.HIGH.label)
        assert high != "High" and khmer[next(k for k in khmer if high in khmer[k][0])][0] == high
        assert any("កែវ សុភា" in after for _before, after in khmer.values())

    def test_changes_in_the_order_of_the_models_fields(self, organisation, worker):
        person = PersonFactory(organisation=organisation)
        event = _written(
            actor=worker.user,
            organisation=organisation,
            action="people.person.updated",
            target=person,
            changes={"sex": ["male", "female"], "family_name_latin": ["Sok", "Chan"]},
            data={"zeta": 1, "alpha": 2},
        )
        shown = _shown(event, organisation)
        assert [change.label for change in shown.changes] == [
            "family name in Latin letters",
            "sex",
        ]
        assert [item.label for item in shown.data] == ["alpha", "zeta"]

    def test_a_data_key_declared_by_an_app_names_its_row(self, organisation, worker):
        person = PersonFactory(organisation=organisation, family_name_km="ចាន់", given_name_km="ស្រី")
        event = _written(
            actor=worker.user,
            organisation=organisation,
            action="people.consent.scan_downloaded",
            target=person,
            data={"person": str(person.pk)},
        )
        assert _shown(event, organisation, "km").sentence.count("ចាន់ ស្រី") == 1
        assert _shown(event, organisation, "km").data[0].value == "ចាន់ ស្រី"

    def test_a_choice_of_the_targets_model_in_data(self, organisation, worker):
        case = CaseFactory(organisation=organisation)
        placement = Placement.objects.create(
            organisation=organisation,
            case=case,
            care_type="kinship",
            started_on=datetime.date(2026, 3, 1),
            reason="Aunt agreed.",
            recorded_by=worker.user,
        )
        event = _written(
            actor=worker.user,
            organisation=organisation,
            action="care.placement.started",
            target=placement,
            data={"care_type": "kinship", "over_capacity": True, "occupied": 3},
        )
        data = {item.label: item.value for item in _shown(event, organisation).data}
        assert data == {
            "care type": "Kinship care",
            "placed over capacity": "yes",
            "children already placed": "3",
        }
        assert _shown(event, organisation).target == "Kinship care from 1 March 2026"

    def test_erased_values_say_when_and_by_whom(self, organisation, worker, member):
        admin = member(
            Role.ORG_ADMIN, user=UserFactory(full_name="Chan Dara", full_name_km="ចាន់ ដារ៉ា")
        )
        person = PersonFactory(organisation=organisation)
        event = _written(
            actor=worker.user,
            organisation=organisation,
            action="people.person.updated",
            target=person,
            changes={"given_name_latin": ["Dara", "Sreypov"], "sex": ["male", "female"]},
            data={"note": "typed on the wrong child"},
        )
        marker = {"at": "2026-03-10T08:00:00+00:00", "by": str(admin.user_id)}
        event.changes.pop("given_name_latin")
        event.data.pop("note")
        event.erased = {"changes.given_name_latin": marker, "data.note": marker, "ip": marker}
        shown = _shown(event, organisation, "en")
        erased = {item.label: item.value for item in shown.erased}
        assert erased["given name in Latin letters"] == "erased on 10 March 2026 by Chan Dara"
        assert erased["IP address"] == "erased on 10 March 2026 by Chan Dara"
        assert shown.ip == "erased on 10 March 2026 by Chan Dara"
        change = next(c for c in shown.changes if c.erased)
        assert (
            change.label == "given name in Latin letters"
            and "Sreypov" not in change.before + change.after
        )
        assert "ចាន់ ដារ៉ា" in _shown(event, organisation, "km").erased[0].value


class TestRecordsThatAreNotAvailable:
    def test_a_deleted_record_and_another_organisations_are_never_ids(
        self, organisation, other_organisation, worker
    ):
        provider = CareProviderFactory(organisation=organisation, name="Hem foster family")
        carer = CarerFactory(provider=provider, name="Hem Sokha")
        theirs = PersonFactory(organisation=other_organisation, given_name_latin="Secret")
        with audited_atomic():
            removed = audit_log(
                actor=worker.user,
                organisation=organisation,
                action="care.carer.removed",
                target=carer,
                changes={"name": ["Hem Sokha", None]},
                data={"provider": str(provider.pk)},
            )
            foreign = audit_log(
                actor=worker.user,
                organisation=organisation,
                action="people.person.photo_downloaded",
                target=theirs,
                data={"person": str(theirs.pk)},
            )
            odd = audit_log(
                actor=worker.user,
                organisation=organisation,
                action="cases.case.viewed",
                target=("cases.case", "not-a-uuid"),
            )
            gone_model = audit_log(
                actor=worker.user,
                organisation=organisation,
                action="cases.case.viewed",
                target=("nosuchapp.thing", "1"),
            )
        Carer.objects.filter(pk=carer.pk).delete()
        events = AuditEvent.objects.filter(pk__in=[removed.pk, foreign.pk, odd.pk, gone_model.pk])
        shown = {
            item.event.action + str(item.pk): item
            for item in events_shown(
                events.select_related("actor"), organisation_id=organisation.pk
            )
        }
        texts = " ".join(
            f"{item.sentence} {item.target} {[vars(v) for v in item.data]}"
            for item in shown.values()
        )
        assert UUID.search(texts) is None and "not-a-uuid" not in texts and "Secret" not in texts
        removed_shown = shown[f"care.carer.removed{removed.pk}"]
        assert (
            removed_shown.sentence
            == "Lim Vanna removed the carer Hem Sokha from Hem foster family."
        )
        assert removed_shown.target == "a record that is no longer available"
        assert shown[f"people.person.photo_downloaded{foreign.pk}"].sentence == (
            "Lim Vanna downloaded the photo of a record that is no longer available."
        )
        assert shown[f"cases.case.viewed{odd.pk}"].target == "a record that is no longer available"


class TestQueries:
    def test_one_query_per_kind_of_row_whatever_the_number_of_events(
        self, organisation, worker, village, django_assert_max_num_queries
    ):
        def write(count):
            with audited_atomic():
                for index in range(count):
                    case = CaseFactory(organisation=organisation)
                    person = case.person
                    visit = Visit.objects.create(
                        organisation=organisation,
                        case=case,
                        visited_on=datetime.date(2026, 3, 1),
                        kind="home",
                        recorded_by=worker.user,
                    )
                    kind = index % 3
                    if kind == 0:
                        audit_log(
                            actor=worker.user,
                            organisation=organisation,
                            action="care.visit.recorded",
                            target=visit,
                            changes={"kind": [None, "home"], "visited_on": [None, "2026-03-01"]},
                        )
                    elif kind == 1:
                        audit_log(
                            actor=worker.user,
                            organisation=organisation,
                            action="people.person.updated",
                            target=person,
                            changes={"village": [None, village.pk]},
                        )
                    else:
                        audit_log(
                            actor=worker.user,
                            organisation=organisation,
                            action="cases.case.updated",
                            target=case,
                            changes={"supervisor": [None, str(worker.user_id)]},
                        )

        def count_queries():
            events = AuditEvent.objects.filter(organisation=organisation).select_related("actor")
            with CaptureQueriesContext(connection) as queries:
                shown = events_shown(list(events), organisation_id=organisation.pk, language="km")
            return len(queries.captured_queries), len(shown)

        write(5)
        few, five = count_queries()
        write(25)
        many, thirty = count_queries()
        assert (five, thirty) == (5, 30)
        assert many == few


class TestAccessEvents:
    @pytest.fixture
    def case(self, organisation):
        return CaseFactory(organisation=organisation, reference="FB-2026-0003")

    @pytest.fixture
    def prober(self, member, other_organisation):
        return member(
            Role.SUPERVISOR,
            org=other_organisation,
            user=UserFactory(full_name="Prober Person", full_name_km="អ្នកស៊ើប", email="p@x.test"),
        )

    def _event(self, organisation, action):
        return (
            AuditEvent.objects.select_related("actor")
            .filter(organisation=organisation, action=action)
            .latest("id")
        )

    def test_an_attempt_from_outside_says_which_record_but_not_who(
        self, organisation, case, prober
    ):
        access_denied(actor=prober, model=Case, record_id=case.pk)
        event = self._event(organisation, "core.access.denied_outside")
        for language in ("en", "km"):
            shown = _shown(event, organisation, language)
            assert shown.actor is None and shown.ip is None
            assert "FB-2026-0003" in shown.sentence
            everything = json.dumps([str(v) for v in vars(shown).values()], ensure_ascii=False)
            for secret in ("Prober", "អ្នកស៊ើប", "p@x.test", "Other NGO"):
                assert secret not in everything
        assert _shown(event, organisation).sentence == (
            "Someone outside the organisation tried to open FB-2026-0003."
        )

    def test_a_member_refused_a_record_of_the_organisation_is_named(
        self, organisation, case, worker
    ):
        access_denied(actor=worker, model=Case, record_id=case.pk)
        shown = _shown(self._event(organisation, "core.access.denied"), organisation)
        assert shown.sentence == "Lim Vanna tried to open FB-2026-0003, which they may not see."

    def test_a_refused_request_names_no_record(self, organisation, worker, other_organisation):
        theirs = CaseFactory(organisation=other_organisation, reference="OTH-2026-0001")
        access_denied(actor=worker, model=Case, record_id=theirs.pk)
        shown = _shown(self._event(organisation, "core.access.refused"), organisation)
        assert shown.sentence == (
            "Lim Vanna asked for a record that does not exist or that they may not see."
        )
        assert shown.target is None

    def test_suppressed_attempts_name_a_member_but_not_an_outsider(
        self, organisation, case, worker, prober
    ):
        for _ in range(DENIED_PER_HOUR + 1):
            access_denied(actor=worker, model=Case, record_id=case.pk)
            access_denied(actor=prober, model=Case, record_id=case.pk)
        suppressed = AuditEvent.objects.select_related("actor").filter(
            organisation=organisation, action="core.access.denied_suppressed"
        )
        shown = {
            item.actor: item for item in events_shown(suppressed, organisation_id=organisation.pk)
        }
        assert set(shown) == {"Lim Vanna", None}
        assert shown["Lim Vanna"].sentence.startswith(
            f"Lim Vanna was refused more than {DENIED_PER_HOUR} times within an hour"
        )
        assert shown[None].sentence.startswith("Someone outside the organisation was refused")
        assert "Prober" not in shown[None].sentence

    def test_views_are_pending_until_sealed(self, organisation, case, worker):
        event = audit_access(
            actor=worker.user, organisation=organisation, action="cases.case.viewed", target=case
        )
        stored = AuditEvent.objects.select_related("actor").get(pk=event.pk)
        shown = _shown(stored, organisation)
        assert shown.pending and shown.sentence == "Lim Vanna looked at the case FB-2026-0003."


class TestTheTrailsOwnEvents:
    def test_rechained(self, organisation):
        intact = _written(
            actor=None,
            organisation=organisation,
            action="core.audit.rechained",
            data={"events": 1200, "previous_chain_intact": True},
        )
        altered = _written(
            actor=None,
            organisation=organisation,
            action="core.audit.rechained",
            data={"events": 3, "previous_chain_intact": False},
        )
        assert "1,200 earlier events" in _shown(intact, organisation).sentence or (
            "1200 earlier events" in _shown(intact, organisation).sentence
        )
        assert "was intact" in _shown(intact, organisation).sentence
        assert "had been altered" in _shown(altered, organisation).sentence

    def test_an_erasure_says_why_and_what(self, organisation, worker, member):
        admin = member(Role.ORG_ADMIN, user=UserFactory(full_name="Chan Dara"))
        person = PersonFactory(organisation=organisation)
        target = _written(
            actor=worker.user,
            organisation=organisation,
            action="people.person.updated",
            target=person,
            changes={"given_name_latin": ["Dara", "Sreypov"]},
        )
        erasure = _written(
            actor=admin.user,
            organisation=organisation,
            action="core.audit.values_erased",
            data={
                "erased": {str(target.pk): ["changes.given_name_latin", "ip"], "999999": ["ip"]},
                "reason": "Recorded on the wrong child.",
            },
        )
        shown = _shown(erasure, organisation, "en")
        assert shown.sentence == (
            "Chan Dara erased personal values from 2 events of the audit trail. "
            "Reason: Recorded on the wrong child."
        )
        first, missing = shown.erasures
        assert first.event_id == target.pk
        assert first.fields == "given name in Latin letters, IP address"
        assert missing.event_id is None and missing.when == "a record that is no longer available"
        assert [item.label for item in shown.data] == ["reason"]


class TestTheRegistry:
    def test_an_unknown_action_is_said_so_without_its_code(self, organisation):
        event = _written(actor=None, organisation=organisation, action="nosuchapp.thing.done")
        shown = _shown(event, organisation)
        assert "nosuchapp" not in shown.sentence and "cannot describe" in shown.sentence

    def test_an_action_declared_twice_is_refused(self):
        class First:
            ACTIONS = {"x.y.z": "one"}

        built = Registry()
        built.add("first", First)
        with pytest.raises(ValueError, match="x.y.z"):
            built.add("second", First)

    def test_every_action_belongs_to_a_type_of_event(self):
        reg = registry()
        lost = [code for code in reg.actions if not any(code.startswith(p) for p in reg.groups)]
        assert lost == [] or set(lost) <= {"geography.loaded"}  # the system chain's only


# --- every action code written anywhere in src has a sentence ----------------------------

SRC = Path(phteah.__file__).parent
_CODE = re.compile(r"^[a-z_]+(?:\.[a-z_]+){1,3}$")
_APPS = {"accounts", "care", "cases", "core", "demo", "geography", "people", "work", "synth"}


def _is_code(value) -> bool:
    return isinstance(value, str) and bool(_CODE.match(value)) and value.split(".")[0] in _APPS


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _written_action_codes() -> set[str]:
    """Every audit action code written in src: ``action=`` arguments, ``action = ...``
    assignments, codes passed to helpers (``_viewed(actor, row, "cases.assessment.viewed")``),
    module constants they name, and f-strings (``f"cases.case.{purpose}"``) expanded with the
    values their function is called with (and its parameter's default)."""
    trees = {path: ast.parse(path.read_text()) for path in SRC.rglob("*.py")}
    constants = {
        target.id: node.value.value
        for tree in trees.values()
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    codes: set[str] = set()
    templates: list[tuple[str, str, ast.FunctionDef]] = []  # (prefix, parameter, function)
    calls = [
        node for tree in trees.values() for node in ast.walk(tree) if isinstance(node, ast.Call)
    ]

    def collect(value, function):
        if isinstance(value, ast.Constant) and _is_code(value.value):
            codes.add(value.value)
        elif isinstance(value, ast.Name) and _is_code(constants.get(value.id)):
            codes.add(constants[value.id])
        elif isinstance(value, ast.JoinedStr) and function is not None:
            parts = value.values
            if isinstance(parts[0], ast.Constant) and isinstance(parts[-1], ast.FormattedValue):
                templates.append((parts[0].value, parts[-1].value.id, function))

    for path, tree in trees.items():
        if path.name == "audit_actions.py":
            continue
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        owner = {id(inner): f for f in functions for inner in ast.walk(f)}
        for node in ast.walk(tree):
            function = owner.get(id(node))
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        collect(keyword.value, function)
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and _is_code(arg.value):
                        if arg.value.count(".") >= 2:
                            codes.add(arg.value)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id == "action":
                        collect(node.value, function)
                    elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                        for item, value in zip(target.elts, node.value.elts, strict=False):
                            if isinstance(item, ast.Name) and item.id == "action":
                                collect(value, function)
    for prefix, parameter, function in templates:
        values = set()
        arguments = function.args.args + function.args.kwonlyargs
        defaults = [None] * (len(function.args.args) - len(function.args.defaults))
        defaults += function.args.defaults + function.args.kw_defaults
        for argument, default in zip(arguments, defaults, strict=True):
            if argument.arg == parameter and isinstance(default, ast.Constant):
                values.add(default.value)
        for call in calls:
            if _called_name(call) == function.name:
                values |= {
                    keyword.value.value
                    for keyword in call.keywords
                    if keyword.arg == parameter and isinstance(keyword.value, ast.Constant)
                }
        assert values, f"no value found for {prefix}{{{parameter}}}"
        codes |= {prefix + str(value) for value in values}
    return codes


def test_every_action_code_written_in_src_has_a_sentence():
    codes = _written_action_codes()
    assert len(codes) > 60  # the scan finds them (it would pass vacuously if it found none)
    assert {"cases.case.viewed", "cases.case.printed", "core.access.denied_suppressed"} <= codes
    missing = sorted(code for code in codes if code not in registry().actions)
    assert missing == []


def test_every_sentence_names_only_what_an_event_can_give(organisation):
    """Sentences use %(actor)s, %(target)s, %(case)s or named values: none is left as a raw
    placeholder, and each formats without error in each language."""
    reg = registry()
    for language in ("en", "km"):
        with translation.override(language):
            for code, sentence in reg.actions.items():
                if callable(sentence):
                    continue
                text = str(sentence)
                names = re.findall(r"%\((\w+)\)s", text)
                assert text % dict.fromkeys(names, "x")
                assert "%(" not in text % dict.fromkeys(names, "x"), code
