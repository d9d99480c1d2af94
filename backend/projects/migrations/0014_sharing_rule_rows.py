"""Old rows meant "members of ``department`` read every project of ``industry``": the department becomes the
grantee and the industry stays the one criterion. Projects of those industries are marked for re-indexing (their
search documents now carry the rule's term instead of the industry's)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Rule = apps.get_model("projects", "ProjectSharingRule")
    Project = apps.get_model("projects", "Project")
    old = Rule.objects.filter(grantee_department__isnull=True, grantee_role="", grantee_user__isnull=True)
    industries = set(old.values_list("industry", flat=True))
    for rule in old:
        rule.grantee_department_id = rule.department_id
        rule.department_id = None
        rule.include_subdepartments = False
        rule.save(update_fields=["grantee_department", "department", "include_subdepartments"])
    if industries:
        Project.objects.filter(industry__in=industries).update(search_dirty=True)


def backwards(apps, schema_editor):
    Rule = apps.get_model("projects", "ProjectSharingRule")
    # only the rules the old shape can say survive: a department grantee and an industry alone
    Rule.objects.exclude(
        grantee_department__isnull=False,
        department__isnull=True,
        region="",
        customer__isnull=True,
        customer_tier="",
    ).delete()
    Rule.objects.filter(industry="").delete()
    for rule in Rule.objects.all():
        rule.department_id = rule.grantee_department_id
        rule.grantee_department_id = None
        rule.save(update_fields=["department", "grantee_department"])


class Migration(migrations.Migration):
    dependencies = [("projects", "0013_sharing_rule_criteria_and_grantees")]

    operations = [migrations.RunPython(forwards, backwards)]
