"""A case's stage, derived from what has been recorded (never typed in):

registered → assessed (an initial or full assessment) → planned (a goal) → implementing
(a service, a placement or a plan action done after planning) → follow-up (the child is back
with family: a current birth-family or kinship placement, or a reunification date) → closed.
"""

from django.db.models import Exists, OuterRef

from .models import Action, Assessment, Case, Goal, ServiceDelivery

FAMILY_CARE_TYPES = ("birth_family", "kinship")


def case_stage(case: Case) -> str:
    """Compute the stage with one query of EXISTS tests."""
    from phteah.care.models import Placement, ReunificationAssessment

    if case.status == Case.Status.CLOSED:
        return Case.Stage.CLOSED
    flags = (
        Case.objects.filter(pk=case.pk)
        .annotate(
            assessed=Exists(
                Assessment.objects.filter(case=OuterRef("pk"), kind__in=["initial", "full"])
            ),
            planned=Exists(Goal.objects.filter(case=OuterRef("pk"))),
            serviced=Exists(ServiceDelivery.objects.filter(case=OuterRef("pk")))
            | Exists(Action.objects.filter(goal__case=OuterRef("pk"), status=Action.Status.DONE)),
            placed=Exists(Placement.objects.filter(case=OuterRef("pk"))),
            home=Exists(
                Placement.objects.filter(
                    case=OuterRef("pk"), care_type__in=FAMILY_CARE_TYPES, ended_on__isnull=True
                )
            )
            | Exists(
                ReunificationAssessment.objects.filter(
                    case=OuterRef("pk"), reunified_on__isnull=False
                )
            ),
        )
        .values("assessed", "planned", "serviced", "placed", "home")
        .get()
    )
    if flags["home"]:
        return Case.Stage.FOLLOW_UP
    if flags["planned"] and (flags["serviced"] or flags["placed"]):
        return Case.Stage.IMPLEMENTING
    if flags["planned"]:
        return Case.Stage.PLANNED
    if flags["assessed"]:
        return Case.Stage.ASSESSED
    return Case.Stage.REGISTERED


def case_stage_refresh(case: Case) -> str:
    """Recompute and store the stage. Call from any service that records something that can
    move it, inside that service's transaction. Does not touch the case's version."""
    stage = case_stage(case)
    if stage != case.stage:
        Case.objects.filter(pk=case.pk).update(stage=stage)
        case.stage = stage
    return stage


def case_refresh(case: Case) -> None:
    """Recompute and store everything derived from the case's records: its stage and when its
    work falls due (phteah.work.due). Call from any service that records or changes something
    on a case, inside that service's transaction. Does not touch the case's version."""
    from phteah.work.due import cases_due_refresh

    case_stage_refresh(case)
    cases_due_refresh(Case.objects.filter(pk=case.pk))
