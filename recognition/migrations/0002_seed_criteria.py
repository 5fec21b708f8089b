from django.db import migrations


def seed(apps, schema_editor):
    from recognition.criteria_data import seed_criteria

    seed_criteria(apps)


def unseed(apps, schema_editor):
    CriteriaVersion = apps.get_model("recognition", "CriteriaVersion")
    Criterion = apps.get_model("recognition", "Criterion")
    for version in CriteriaVersion.objects.filter(name="Maatlat 2026", rounds__isnull=True):
        Criterion.objects.filter(version=version).delete()
        version.delete()


class Migration(migrations.Migration):
    dependencies = [("recognition", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
