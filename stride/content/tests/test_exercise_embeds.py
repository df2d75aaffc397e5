import pytest
from django.core.cache import cache

from stride.content.services import article_render
from stride.content.tests.factories import ArticleFactory
from stride.programs.tests.factories import ExerciseFactory


@pytest.mark.django_db
def test_article_embeds_library_exercises_as_cards(client):
    cache.clear()
    ExerciseFactory(slug="glute-bridge", name="Glute bridge")
    article = ArticleFactory(
        body="## Effective Exercises\n\nTry this:\n\n[[exercise:glute-bridge]]\n\n[[exercise:nope]]\n"
    )
    article_render(article)
    response = client.get(f"/articles/{article.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Glute bridge" in html
    assert 'href="/exercises/glute-bridge/"' in html
    assert "[[exercise:" not in html


@pytest.mark.django_db
def test_sitemap_lists_published_exercises(client):
    cache.clear()
    ExerciseFactory(slug="bird-dog", is_published=True)
    ExerciseFactory(slug="hidden-one", is_published=False)
    body = client.get("/sitemap.xml").content.decode()
    assert "/exercises/bird-dog/" in body
    assert "/exercises/hidden-one/" not in body
    assert "/exercises/</loc>" in body
