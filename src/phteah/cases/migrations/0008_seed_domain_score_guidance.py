"""The standard domains of every organisation get what each score means, in English and
Khmer; a domain whose guidance someone already wrote keeps it."""

from django.db import migrations

# The texts as they were when this migration was written (phteah.cases.domain_guidance may
# change later; a migration replays the same).
from phteah.cases.domain_guidance import DEFAULT_GUIDANCE, GUIDANCE_FIELDS


def seed(apps, schema_editor):
    AssessmentDomain = apps.get_model("cases", "AssessmentDomain")
    for domain in AssessmentDomain.objects.filter(code__in=list(DEFAULT_GUIDANCE)).iterator():
        if any(getattr(domain, name) for name in GUIDANCE_FIELDS):
            continue
        for score, (english, khmer) in enumerate(DEFAULT_GUIDANCE[domain.code], start=1):
            setattr(domain, f"guidance_{score}", english)
            setattr(domain, f"guidance_{score}_km", khmer)
        domain.save(update_fields=list(GUIDANCE_FIELDS))


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_domain_score_guidance")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
