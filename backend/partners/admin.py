from django.contrib import admin

from backend.partners.models import (
    PartnerCertification,
    PartnerGrade,
    PartnerGradeChange,
    PartnerProfile,
    PartnerTraining,
)


@admin.register(PartnerGrade)
class PartnerGradeAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "rank",
        "min_trainings",
        "min_years",
        "min_volume",
        "min_certifications",
        "credit_limit",
        "discount_ceiling",
        "support_level",
    )


@admin.register(PartnerProfile)
class PartnerProfileAdmin(admin.ModelAdmin):
    list_display = ("partner", "grade", "grade_manual", "cooperation_since", "graded_at")
    list_filter = ("grade", "grade_manual")
    raw_id_fields = ("partner",)


@admin.register(PartnerTraining)
class PartnerTrainingAdmin(admin.ModelAdmin):
    list_display = ("partner", "course", "held_on", "attendees")
    raw_id_fields = ("partner", "created_by")


@admin.register(PartnerCertification)
class PartnerCertificationAdmin(admin.ModelAdmin):
    list_display = ("partner", "name", "issued", "valid_until")
    raw_id_fields = ("partner", "created_by")


@admin.register(PartnerGradeChange)
class PartnerGradeChangeAdmin(admin.ModelAdmin):
    list_display = ("partner", "old_grade", "new_grade", "changed_at", "actor")
    raw_id_fields = ("partner", "actor")
