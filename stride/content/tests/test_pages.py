import re
import xml.etree.ElementTree as ET  # noqa: S405 (parsing our own responses)

import pytest
from django.core.files.base import ContentFile

from stride.content.models import ArticleStatus

from .factories import (
    ArticleFactory,
    FaqCategoryFactory,
    FaqFactory,
    LocationFactory,
    ResourceFactory,
    TherapistFactory,
)
from .test_articles import ids_in, jsonld_blocks

pytestmark = pytest.mark.django_db


def test_home_shows_clinic_booking_articles_faq_and_team(client):
    LocationFactory(name="Stride Physical Therapy", tagline="Move well again.")
    ArticleFactory(title="Featured one", featured=True)
    FaqFactory(question="Do I need a referral?", highlight=True)
    FaqFactory(question="Not on the home page?", highlight=False)
    TherapistFactory(display_name="Dr. Maya Chen")

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["clinic"].name == "Stride Physical Therapy"
    assert html.count("<h1") == 1
    assert "Move well again." in html
    assert '<a class="button" href="/book/">Book Appointment</a>' in html
    assert '<a class="button button-secondary" href="/contact/">Contact us</a>' in html
    assert "Featured one" in html
    assert "Do I need a referral?" in html
    assert "Not on the home page?" not in html
    assert "Dr. Maya Chen" in html
    ids = ids_in(html)
    assert len(ids) == len(set(ids))


def test_home_without_any_data_still_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Stride Physical Therapy" in response.content.decode()


def test_faq_page_groups_questions_and_has_faqpage_jsonld(client):
    booking = FaqCategoryFactory(name="Appointments", order=2)
    about = FaqCategoryFactory(name="About physical therapy", order=1)
    FaqCategoryFactory(name="Empty category")
    FaqFactory(category=booking, question="How long is a session?", answer="About **45** minutes.")
    FaqFactory(
        category=about, question="What is physical therapy?", answer="Care <script>x</script>"
    )

    response = client.get("/faq/")

    html = response.content.decode()
    main = html[html.index("<main") :]
    assert html.count("<h1") == 1
    assert main.index('<h2 id="category-') < main.index("What is physical therapy?")
    assert main.index("About physical therapy") < main.index("Appointments")
    assert "Empty category" not in html
    assert re.search(r'<h3 class="faq-question" id="faq-[^"]+">How long is a session\?</h3>', html)
    assert "<strong>45</strong>" in html
    assert "<script>x" not in html
    (data,) = jsonld_blocks(response)
    assert data["@type"] == "FAQPage"
    assert [q["name"] for q in data["mainEntity"]] == [
        "What is physical therapy?",
        "How long is a session?",
    ]
    answer = data["mainEntity"][1]["acceptedAnswer"]
    assert answer["@type"] == "Answer"
    assert answer["text"] == "<p>About <strong>45</strong> minutes.</p>"


def test_faq_page_without_questions_still_uses_a_csp_nonce(client):
    response = client.get("/faq/")
    assert response.status_code == 200
    assert jsonld_blocks(response)[0]["mainEntity"] == []


def test_faq_list_include_is_reusable_with_any_list(rf):
    from django.template.loader import render_to_string

    faqs = [FaqFactory(question="First?"), FaqFactory(question="Second?")]
    html = render_to_string("content/_faq_list.html", {"faqs": faqs, "heading_level": 2})
    assert html.index("First?") < html.index("Second?")
    assert html.count("<h2 ") == 2


def test_resources_page_groups_handouts_and_external_links(client):
    ResourceFactory(title="NHS back pain", url="https://www.nhs.uk/conditions/back-pain/")
    ResourceFactory(title="Back care handout", handout=True)
    ResourceFactory(title="Hidden one", is_published=False)

    html = client.get("/resources/").content.decode()

    assert html.count("<h1") == 1
    assert html.index("Handouts to download") < html.index("Useful websites")
    assert re.search(
        r'href="/media/resources/back-care[^"]*\.txt">Download Back care handout', html
    )
    assert "(Text, 19\xa0bytes)" in html
    assert (
        '<a class="external" href="https://www.nhs.uk/conditions/back-pain/" '
        'rel="noopener noreferrer">Visit NHS back pain'
    ) in html
    assert "(external website)" in html
    assert "Hidden one" not in html


def test_search_finds_articles_and_faqs_and_ignores_drafts(client):
    ArticleFactory(title="Exercises for back pain", body="Gentle stretching helps.")
    ArticleFactory(title="Draft back pain", status=ArticleStatus.DRAFT, body="stretching")
    ArticleFactory(title="Unrelated", body="Nothing to see.")
    FaqFactory(question="Does stretching hurt?", answer="It should not hurt much for BACK pain.")

    response = client.get("/search/?q=Back+STRETCHING")

    html = response.content.decode()
    assert response.context["search_query"] == "Back STRETCHING"
    assert 'value="Back STRETCHING"' in html
    assert "Exercises for back pain" in html
    assert "Does stretching hurt?" in html
    assert "Draft back pain" not in html
    assert "Unrelated" not in html
    assert "2 results for" in html
    assert '<meta name="robots" content="noindex">' in html
    assert html.count("<h1") == 1


def test_search_requires_every_term(client):
    ArticleFactory(title="Back pain", body="walking")
    html = client.get("/search/?q=back+swimming").content.decode()
    assert "0 results for" in html


def test_empty_search_shows_only_the_form(client):
    ArticleFactory(title="Back pain")
    response = client.get("/search/?q=")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="search-q"' in html
    assert "results for" not in html


@pytest.mark.parametrize("query", ["a" * 201, "a" * 10_000, "back%00pain", "%00", "x%01y"])
def test_odd_search_input_gets_a_message_not_an_error(client, query):
    response = client.get(f"/search/?q={query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errorlist"' in html
    assert "results for" not in html
    assert len(response.context["search_query"]) <= 200
    assert "\x00" not in html


def test_search_treats_like_wildcards_literally(client):
    ArticleFactory(title="Anything at all")
    assert "0 results for" in client.get("/search/?q=%25").content.decode()
    assert "0 results for" in client.get("/search/?q=_").content.decode()


def test_feed_is_valid_rss_with_newest_public_articles(client):
    for n in range(22):
        ArticleFactory(title=f"Feed article {n}")
    ArticleFactory(title="Draft in feed", status=ArticleStatus.DRAFT)

    response = client.get("/articles/feed/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (parsing our own responses)
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    items = root.findall("./channel/item")
    assert len(items) == 20
    titles = [item.findtext("title") for item in items]
    assert "Draft in feed" not in titles
    first = items[0]
    assert first.findtext("link").startswith("http://testserver/articles/")
    assert first.findtext("guid") == first.findtext("link")
    assert first.findtext("description") == "A summary of the article."
    assert first.findtext("pubDate")


def test_sitemap_lists_fixed_pages_and_public_articles_only(client):
    public = ArticleFactory()
    draft = ArticleFactory(status=ArticleStatus.DRAFT)

    response = client.get("/sitemap.xml")

    root = ET.fromstring(response.content)  # noqa: S314 (parsing our own responses)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [loc.text for loc in root.findall("./s:url/s:loc", ns)]
    paths = [re.sub(r"^https?://[^/]+", "", loc) for loc in locs]
    for path in ["/", "/articles/", "/faq/", "/resources/", "/book/", "/contact/"]:
        assert path in paths
    assert f"/articles/{public.slug}/" in paths
    assert f"/articles/{draft.slug}/" not in paths
    article_url = root.find(f"./s:url[s:loc='{locs[paths.index(public.get_absolute_url())]}']", ns)
    assert article_url.find("s:lastmod", ns).text


def test_content_pages_have_no_inline_styles_or_scripts(client):
    ArticleFactory(body="<p style='color:red'>x</p><script>alert(1)</script>")
    FaqFactory()
    ResourceFactory(handout=True, file=ContentFile(b"hello", name="a.txt"))
    for path in ["/", "/articles/", "/faq/", "/resources/", "/search/?q=a"]:
        html = client.get(path).content.decode()
        assert " style=" not in html, path
        for script in re.findall(r"<script[^>]*>", html):
            assert 'type="application/ld+json"' in script and "nonce=" in script, path
