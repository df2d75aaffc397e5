import pytest
from django.urls import reverse
from django.utils import timezone

from stride.content.models import Article, ArticleStatus, Faq

from .factories import ArticleFactory, FaqCategoryFactory, FaqFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True))
    return client


def test_preview_renders_stored_body_sanitised(admin_client):
    article = ArticleFactory(
        body="## Hello\n\n<script>alert(1)</script><img src=x onerror=alert(2)>"
    )
    url = reverse("admin:content_article_preview", args=[article.pk])
    assert url == f"/admin/content/article/{article.pk}/preview/"

    response = admin_client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h2 id="hello">Hello</h2>' in html
    assert "alert(" not in html


def test_preview_is_staff_only(client):
    article = ArticleFactory()
    url = reverse("admin:content_article_preview", args=[article.pk])
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(is_staff=False))
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(is_staff=True))  # staff without content permissions
    assert client.get(url).status_code == 403


def test_preview_of_missing_article_is_404(admin_client):
    assert admin_client.get("/admin/content/article/999999/preview/").status_code == 404


def test_change_page_links_to_preview(admin_client):
    article = ArticleFactory()
    html = admin_client.get(reverse("admin:content_article_change", args=[article.pk])).content
    assert f"/admin/content/article/{article.pk}/preview/".encode() in html
    changelist = admin_client.get(reverse("admin:content_article_changelist"))
    assert changelist.status_code == 200


def test_admin_save_renders_cached_html_and_defaults_publication_time(admin_client):
    response = admin_client.post(
        reverse("admin:content_article_add"),
        {
            "title": "New article",
            "slug": "new-article",
            "subheading": "",
            "summary": "Summary.",
            "body": "## First section\n\nSome words here.",
            "status": ArticleStatus.PUBLISHED,
            "published_at_0": "",
            "published_at_1": "",
            "reviewed_on": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(slug="new-article")
    assert article.body_html.startswith('<h2 id="first-section">')
    assert article.toc == [[2, "First section", "first-section"]]
    assert article.word_count == 5
    assert article.published_at <= timezone.now()


def test_faq_admin_list_editable_order_rerenders(admin_client):
    faq = FaqFactory(answer="Old")
    Faq.objects.filter(pk=faq.pk).update(answer="**New**")
    response = admin_client.post(
        reverse("admin:content_faq_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(faq.pk),
            "form-0-order": "7",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    faq.refresh_from_db()
    assert faq.order == 7
    assert faq.answer_html == "<p><strong>New</strong></p>\n"


def test_other_admin_pages_load(admin_client):
    FaqCategoryFactory()
    for name in ["condition", "faqcategory", "faq", "resource"]:
        assert admin_client.get(reverse(f"admin:content_{name}_changelist")).status_code == 200
        assert admin_client.get(reverse(f"admin:content_{name}_add")).status_code == 200
