from django.db import migrations


def load(apps, schema_editor):
    from areas.loading import load_zuidoost

    load_zuidoost(apps)


def unload(apps, schema_editor):
    # Reverse only removes what no one refers to; retire instead of delete in real use.
    Buurt = apps.get_model("areas", "Buurt")
    Buurt.objects.filter(code__startswith="T", platforms__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("areas", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
