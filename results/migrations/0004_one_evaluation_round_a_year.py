"""Before a year may hold only one self-evaluation round, at 12月31日 (0005): a year's
extra self-evaluation rounds (opened with another cut-off) go when nothing was recorded
in them (every form as opened: version 1, no workflow step); the round kept is the one
at 12月31日, else the first opened, and takes 12月31日 as its cut-off. A year whose extra
round holds anything recorded stops the migration, naming it: nothing stored is lost."""

from datetime import date

from django.db import migrations


def _untouched(round_):
    forms = round_.forms.all()
    return not forms.exclude(version=1).exists() and not forms.filter(transitions__isnull=False).exists()


def one_evaluation_round_a_year(apps, schema_editor):
    Round = apps.get_model("results", "Round")
    rounds = Round.objects.filter(kind="evaluation").order_by("year", "opened_at", "pk")
    by_year = {}
    for round_ in rounds:
        by_year.setdefault(round_.year, []).append(round_)
    for year, found in by_year.items():
        year_end = date(year, 12, 31)
        found.sort(key=lambda r: r.cutoff != year_end)  # stable: the year-end round, else the first
        kept, extra = found[0], found[1:]
        for round_ in extra:
            if not _untouched(round_):
                raise RuntimeError(
                    f"{year}年度有{len(found)}个绩效自评轮次，截止日期为{round_.cutoff.isoformat()}的轮次"
                    f"（编号{round_.pk}，{round_.forms.count()}张自评表）中已有填报内容，无法自动合并："
                    "绩效自评每年度只有一轮，请先保留一轮（将另一轮的填报内容转入后删除）再执行迁移。"
                )
        for round_ in extra:
            round_.forms.all().delete()
            round_.delete()
        if kept.cutoff != year_end:
            kept.cutoff = year_end
            kept.save(update_fields=["cutoff"])


class Migration(migrations.Migration):
    dependencies = [
        ("results", "0003_form_authority"),
    ]

    operations = [
        migrations.RunPython(one_evaluation_round_a_year, migrations.RunPython.noop),
    ]
