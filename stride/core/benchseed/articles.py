"""Bench articles: the demo's articles plus published ones made from their sections.

Each generated article has its own title and introduction and three to five sections drawn from
the demo articles (Markdown with headings, lists, links and exercise embeds), so bodies are of
realistic length and shape. They are rendered once here, as ``article_save`` would, and
bulk-inserted with their conditions and related articles.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections.abc import Sequence

from django.utils.text import slugify

from stride.content import demo_data
from stride.content.models import Article, ArticleStatus, Condition
from stride.content.services import article_render
from stride.scheduling.models import Therapist

SUBJECTS = [
    "Low back pain",
    "Neck pain",
    "Sciatica",
    "Knee pain",
    "Shoulder pain",
    "Hip pain",
    "Ankle sprains",
    "Tennis elbow",
    "Posture at work",
    "Running injuries",
]
ANGLES = [
    "what helps in the first weeks",
    "exercises to start with",
    "staying active while it settles",
    "when to see a therapist",
    "myths and facts",
    "sleeping and sitting comfortably",
    "getting back to sport",
    "a guide for busy people",
    "questions to ask at your visit",
    "building strength safely",
    "what your therapist will check",
    "managing a flare-up",
    "moving well at home",
    "habits that protect you",
    "how long recovery takes",
    "pain and the brain",
    "tips for older adults",
    "after surgery",
    "at your desk",
    "for new parents",
]
INTRO = (
    "{subject} is one of the most common reasons people come to see us. This article is about "
    "{angle}: what the evidence says, what you can try at home, and the signs that mean you "
    "should check in with your therapist or doctor. Every body is different, so use it as a "
    "starting point for a conversation with your care team rather than a fixed plan."
)
PUBLISH_TIME = dt.time(9, 0)


def _sections() -> list[str]:
    """Return every '## ' section of the demo articles' bodies, heading included."""
    sections = []
    for row in demo_data.ARTICLES:
        body = str(row["body"])
        parts = body.split("\n## ")
        sections += ["## " + part.removeprefix("## ").strip() for part in parts if part.strip()]
    return sections


def articles_create(
    *, count: int, therapists: Sequence[Therapist], now: dt.datetime, rng: random.Random
) -> int:
    """Add published articles until there are ``count``; return how many were added."""
    missing = count - Article.objects.count()
    if missing <= 0:
        return 0
    sections = _sections()
    conditions = list(Condition.objects.order_by("pk"))
    zone = zoneinfo.ZoneInfo("America/New_York")
    articles = []
    for index in range(missing):
        subject = SUBJECTS[index % len(SUBJECTS)]
        angle = ANGLES[(index // len(SUBJECTS)) % len(ANGLES)]
        title = f"{subject}: {angle}"
        if index >= len(SUBJECTS) * len(ANGLES):
            title += f" (part {index // (len(SUBJECTS) * len(ANGLES)) + 1})"
        published = dt.datetime.combine(
            now.astimezone(zone).date() - dt.timedelta(days=rng.randint(1, 1500)),
            PUBLISH_TIME,
            tzinfo=zone,
        )
        body = "\n\n".join(
            [INTRO.format(subject=subject, angle=angle), *rng.sample(sections, rng.randint(3, 5))]
        )
        article = Article(
            title=title[:200],
            slug=slugify(title)[:190] + f"-{index + 1}",
            subheading=f"{subject}, explained by our therapists.",
            summary=INTRO.format(subject=subject, angle=angle).split(". ")[1] + ".",
            body=body,
            reviewed_by=rng.choice(therapists),
            reviewed_on=published.date(),
            status=ArticleStatus.PUBLISHED,
            published_at=published,
        )
        articles.append(article_render(article, save=False))
    Article.objects.bulk_create(articles)
    everything = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    Article.conditions.through.objects.bulk_create(
        Article.conditions.through(article_id=article.pk, condition_id=condition.pk)
        for article in articles
        for condition in rng.sample(conditions, min(len(conditions), rng.randint(1, 2)))
    )
    Article.related.through.objects.bulk_create(
        Article.related.through(from_article_id=article.pk, to_article_id=other)
        for article in articles
        for other in rng.sample([pk for pk in everything if pk != article.pk], 3)
    )
    return missing
