"""Admin for the core: search and filters a bridge-builder or application manager would use."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from werkplaats import audit
from werkplaats.models import (
    AccountInvitation,
    Activity,
    ActivityHeadcount,
    ActivityKind,
    AuditEvent,
    GoalStatus,
    GoalSupport,
    GoalVisibility,
    LearningGoal,
    Membership,
    Notification,
    NotificationDigest,
    Organisation,
    Person,
    ResearchGrant,
    User,
    Workplace,
    in_force,
)
from werkplaats.services import activity_log_changed_after_commit


class CurrentFilter(admin.SimpleListFilter):
    title = _("current")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", _("current")), ("no", _("ended or not yet started"))]

    def queryset(self, request, queryset):
        current_ids = Membership.objects.current(timezone.localdate()).values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=current_ids)
        if self.value() == "no":
            return queryset.exclude(pk__in=current_ids)
        return queryset


def _identity(obj) -> object:
    return getattr(obj, "pk", None) or id(obj)


class MembershipFormSet(BaseInlineFormSet):
    """Rows of one inline are checked against each other too (``Membership.clean`` only sees
    rows already saved): the same person, PW and role may not overlap in time."""

    def clean(self):
        super().clean()
        periods: dict[tuple, list[tuple]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("role"):
                continue
            # In an inline the parent (saved or not) is the cleaned value of its own field.
            key = (_identity(data.get("person")), _identity(data.get("workplace")), data["role"])
            start, end = data.get("starts_on"), data.get("ends_on")
            if start is None:
                continue
            for other_start, other_end in periods.get(key, []):
                if (end is None or end >= other_start) and (
                    other_end is None or other_end >= start
                ):
                    raise ValidationError(
                        _("Two rows give this person the same role in the same period.")
                    )
            periods.setdefault(key, []).append((start, end))


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 1
    autocomplete_fields = ["person", "workplace"]
    fields = ["person", "workplace", "role", "starts_on", "ends_on"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "workplace_count"]
    list_filter = ["kind"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_workplaces=Count("workplaces"))

    @admin.display(description=_("workplaces"), ordering="_workplaces")
    def workplace_count(self, obj):
        return obj._workplaces


@admin.register(Workplace)
class WorkplaceAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "started_on", "current_people"]
    list_filter = ["sector", "partners"]
    search_fields = ["name", "slug", "partners__name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["partners"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        today = timezone.localdate()
        current = in_force(today, prefix="memberships__")
        return (
            super()
            .get_queryset(request)
            .annotate(_people=Count("memberships__person", filter=current, distinct=True))
        )

    @admin.display(description=_("current people"), ordering="_people")
    def current_people(self, obj):
        return obj._people


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "user", "preferred_language", "personal_data"]
    list_filter = ["memberships__role", "memberships__workplace", "preferred_language"]
    search_fields = ["name", "email", "user__email"]
    autocomplete_fields = ["user"]
    inlines = [MembershipInline]

    @admin.display(description=_("personal data"))
    def personal_data(self, obj):
        """Links to the GDPR pages: everything held about the person, and erasure."""
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("person-data", args=[obj.pk]),
            _("show or export"),
            reverse("person-erase", args=[obj.pk]),
            _("erase"),
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "role", "workplace", "starts_on", "ends_on"]
    list_filter = [CurrentFilter, "role", "workplace"]
    search_fields = ["person__name", "person__email", "workplace__name"]
    autocomplete_fields = ["person", "workplace"]
    date_hierarchy = "starts_on"
    list_select_related = ["person", "workplace"]


@admin.register(ResearchGrant)
class ResearchGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "workplace", "purpose", "granted_at", "expires_on"]
    list_filter = ["workplace"]
    search_fields = ["user__email", "purpose"]
    autocomplete_fields = ["user", "workplace"]
    list_select_related = ["user", "workplace"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "person__name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        """Only superusers hand out rights: staff cannot make anyone (themselves included)
        superuser, staff or give permissions."""
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return readonly

    def user_change_password(self, request, id, form_url=""):
        """The password page names the account: a view in the audit log (a change is logged
        as one by the admin site)."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "GET" and response.status_code == 200:
            audit.record(request, "admin.viewed", object_type="werkplaats.user", object_id=id)
        return response

    def has_change_permission(self, request, obj=None):
        """Staff who are not superusers cannot change a superuser's account or password."""
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


@admin.register(ActivityKind)
class ActivityKindAdmin(admin.ModelAdmin):
    """Staff maintain the kinds; a kind in use cannot be deleted (retire it: untick active)."""

    list_display = ["name_nl", "name_en", "code", "order", "active"]
    list_editable = ["order", "active"]
    list_filter = ["active"]
    search_fields = ["name_nl", "name_en", "code"]
    prepopulated_fields = {"code": ["name_en"]}


class HeadcountInline(admin.TabularInline):
    model = ActivityHeadcount
    extra = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["date", "title", "kind", "level", "workplace"]
    list_filter = ["workplace", "kind", "level", "elements"]
    search_fields = ["title", "description", "learned"]
    date_hierarchy = "date"
    list_select_related = ["kind", "workplace"]
    autocomplete_fields = ["participants", "workplace"]
    readonly_fields = ["created_by", "created_at", "updated_at", "version"]
    filter_horizontal = ["elements", "aspects"]
    inlines = [HeadcountInline]

    def save_model(self, request, obj, form, change):
        # An admin save is a save like any other: newer version (VersionedAdmin, mixed in by
        # the admin site), fresh list summaries.
        super().save_model(request, obj, form, change)
        activity_log_changed_after_commit(obj.workplace_id)

    def delete_model(self, request, obj):
        workplace_id = obj.workplace_id
        super().delete_model(request, obj)
        activity_log_changed_after_commit(workplace_id)

    def delete_queryset(self, request, queryset):
        # "Delete selected": every PW concerned is counted afresh after commit.
        workplace_ids = set(queryset.values_list("workplace_id", flat=True))
        super().delete_queryset(request, queryset)
        for workplace_id in workplace_ids:
            activity_log_changed_after_commit(workplace_id)


class GoalSupportInline(admin.TabularInline):
    model = GoalSupport
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(LearningGoal)
class LearningGoalAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "workplace", "status", "visibility", "school_year"]
    list_filter = ["workplace", "status", "visibility", "school_year"]
    search_fields = ["title", "owner__name"]
    autocomplete_fields = ["owner", "co_owners", "workplace"]
    list_select_related = ["owner", "workplace"]
    inlines = [GoalSupportInline]

    def get_queryset(self, request):
        """Goals shared only with supporters, and drafts, are private to their circle: the
        admin neither lists nor searches them (counts for evaluations still include them)."""
        return (
            super()
            .get_queryset(request)
            .filter(visibility=GoalVisibility.WORKPLACE)
            .exclude(status=GoalStatus.DRAFT)
        )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, read-only: nobody edits or removes what was recorded."""

    list_display = ["at", "action", "actor", "workplace_id", "object_type", "object_id", "address"]
    list_filter = ["action"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class UncertainCaseFilter(admin.SimpleListFilter):
    """Issue 20: rows whose sender stopped mid-send, so they may have arrived (twice). For the
    ledgers that resend an uncertain case once (``uncertain_at``): the evaluation mails and the
    account invitations."""

    title = _("uncertain case")
    parameter_name = "uncertain"

    def lookups(self, request, model_admin):
        return [("yes", _("uncertain, resent once or not")), ("no", _("certain"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(uncertain_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(uncertain_at=None)
        return queryset


class MailLedgerAdmin(admin.ModelAdmin):
    """A mail ledger, read-only: what went, what failed and what is uncertain (a sender died
    mid-send, issue 20); the state filter shows each state's count. Kinds and people only: a
    notification's text is behind its link, never here."""

    show_facets = admin.ShowFacets.ALWAYS

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(MailLedgerAdmin):
    list_display = ["created_at", "recipient", "kind", "mail", "attempts", "sent_at", "last_error"]
    list_filter = ["mail", "kind"]
    list_select_related = ["recipient"]


@admin.register(NotificationDigest)
class NotificationDigestAdmin(MailLedgerAdmin):
    list_display = ["period", "person", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status"]
    list_select_related = ["person"]


@admin.register(AccountInvitation)
class AccountInvitationAdmin(MailLedgerAdmin):
    """The account invitations as a ledger: sent, failed, uncertain (resent once or not). Never
    the link's hashes."""

    list_display = [
        "created_at", "person", "workplace", "status", "attempts", "sent_at", "uncertain_at",
        "used_at", "revoked_at", "last_error",
    ]  # fmt: skip
    list_filter = ["status", UncertainCaseFilter]
    list_select_related = ["person", "workplace"]
    exclude = ["token_hash", "earlier_token_hash"]
