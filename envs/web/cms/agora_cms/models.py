"""The CMS's page types: home, sections with standard pages, a blog index with posts, authors and tags."""

from django import forms
from django.db import models
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.forms import TagWidget
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

POSTS_PER_PAGE = 20


class HomePage(Page):
    """The site's root page: its sections and the blog."""

    intro = models.TextField(blank=True)
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["agora_cms.SectionPage", "agora_cms.BlogIndexPage", "agora_cms.StandardPage"]


class SectionPage(Page):
    """A section of the site (About, Products, ...) holding standard pages."""

    intro = models.TextField(blank=True)
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["agora_cms.StandardPage", "agora_cms.SectionPage"]


class StandardPage(Page):
    """A plain content page: a summary and a rich-text body."""

    summary = models.TextField(blank=True)
    body = RichTextField(blank=True)
    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    subpage_types = ["agora_cms.StandardPage"]


@register_snippet
class BlogAuthor(models.Model):
    """A person who writes blog posts."""

    name = models.CharField(max_length=100, unique=True)
    bio = models.TextField(blank=True)
    panels = [FieldPanel("name"), FieldPanel("bio")]

    class Meta:
        """Authors in name order."""

        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BlogIndexPage(Page):
    """The blog: its posts, newest first, 20 to a page, optionally filtered by tag or author."""

    intro = models.TextField(blank=True)
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["agora_cms.BlogPage"]

    def get_context(self, request, *args, **kwargs):
        """The page's posts (``?tag=``, ``?author=`` filters; ``?page=`` pagination)."""
        from django.core.paginator import Paginator

        context = super().get_context(request, *args, **kwargs)
        posts = BlogPage.objects.child_of(self).live().select_related("author").order_by("-date", "-pk")
        tag, author = request.GET.get("tag", "")[:100], request.GET.get("author", "")[:100]
        if tag:
            posts = posts.filter(tags__name__iexact=tag)
        if author:
            posts = posts.filter(author__name=author)
        page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
        context.update(posts=page, tag=tag, author=author, total=page.paginator.count)
        return context


class BlogPageTag(TaggedItemBase):
    """The tag of a blog post."""

    content_object = ParentalKey("agora_cms.BlogPage", related_name="tagged_items", on_delete=models.CASCADE)


class BlogPage(Page):
    """A blog post: date, author, tags, summary and body."""

    date = models.DateField("Post date")
    author = models.ForeignKey(BlogAuthor, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    summary = models.TextField(blank=True)
    body = RichTextField(blank=True)
    tags = ClusterTaggableManager(through=BlogPageTag, blank=True)
    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("author", widget=forms.Select),  # a plain select rather than the snippet chooser's modal
        FieldPanel("tags", widget=TagWidget),  # one comma-separated text field rather than the tag-it widget
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["agora_cms.BlogIndexPage"]
    subpage_types: list[str] = []
