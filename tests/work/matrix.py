"""Permission matrix rows for My work, the team's work and the rule table."""

from phteah.care.models import CareRule
from tests.matrix_support import expect, only_admin

_OWN_CASES = expect(200, admin=404, me=404)
_CONFIRM = {"confirm": "yes"}
_ADD = {"kind": "visit_every", "care_type": "pagoda", "risk_level": "", "value": "20"}

ROWS = [
    ("work:my_work", None, "get", None, _OWN_CASES),
    ("work:team", None, "get", None, expect(404, supervisor=200)),
    ("work:member_work", "team_member", "get", None, expect(404, supervisor=200)),
    ("care:rules", None, "get", None, only_admin()),
    ("care:rule_add", None, "post", _ADD, only_admin(ok=302)),
    ("care:rules_restore", None, "get", None, only_admin()),  # what will change
    ("care:rules_restore", None, "post", None, only_admin()),  # not confirmed: the same
    ("care:rules_restore", None, "post", _CONFIRM, only_admin(ok=302)),
    ("care:rule_edit", "care_rule", "get", None, only_admin()),
    ("care:rule_edit", "care_rule", "post", {"value": "12"}, only_admin(ok=302)),
    ("care:rule_delete", "care_rule", "get", None, only_admin()),  # what will change
    ("care:rule_delete", "care_rule", "post", _CONFIRM, only_admin(ok=302)),
]


def objects(world) -> dict[str, dict]:
    from phteah.accounts.models import Membership

    owner = world["owner"]
    rule = CareRule.objects.create(
        organisation=owner, kind="max_stay", care_type="pagoda", value=200
    )
    worker = Membership.objects.get(organisation=owner, user=world["case"].assignments.get().user)
    return {"care_rule": {"rule_id": rule.pk}, "team_member": {"membership_id": worker.pk}}
