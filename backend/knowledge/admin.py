"""Admin for the knowledge base: categories, keywords, articles (read mostly: workflows go through the
pages and the API), and links."""

from django.contrib import admin

from backend.knowledge.models import Article, ArticleAttachment, ArticleLink, ArticleVersion, Category, Keyword


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "order"]
    list_filter = ["parent"]
    search_fields = ["name"]


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    list_display = ["name", "name_key"]
    search_fields = ["name", "name_key"]

    def save_model(self, request, obj, form, change):
        from backend.knowledge.search import keyword_key

        obj.name_key = keyword_key(obj.name)
        super().save_model(request, obj, form, change)


class VersionInline(admin.TabularInline):
    model = ArticleVersion
    extra = 0
    readonly_fields = ("version", "title", "edited_by", "created_at", "comment")
    fields = readonly_fields
    can_delete = False


class AttachmentInline(admin.TabularInline):
    model = ArticleAttachment
    extra = 0
    readonly_fields = ("name", "content_type", "size", "uploaded_by", "uploaded_at")
    fields = readonly_fields


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "visibility", "category", "industry", "author", "version", "updated_at"]
    list_filter = ["status", "visibility", "industry", "source_kind"]
    search_fields = ["title", "summary"]
    raw_id_fields = ["author", "proposed_by", "reviewed_by", "source_project", "users"]
    filter_horizontal = ["keywords", "departments", "roles"]
    inlines = [VersionInline, AttachmentInline]
    readonly_fields = ["version", "body_html", "search_dirty"]

    def save_model(self, request, obj, form, change):
        from backend.knowledge.rendering import render_markdown

        obj.body_html = render_markdown(obj.body)
        super().save_model(request, obj, form, change)


@admin.register(ArticleLink)
class ArticleLinkAdmin(admin.ModelAdmin):
    list_display = ["article", "project", "source", "status", "score", "decided_by"]
    list_filter = ["status", "source"]
    raw_id_fields = ["article", "project", "decided_by"]
