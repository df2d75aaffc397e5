"""factory_boy factories for content tests (and the clinic rows articles refer to)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from stride.accounts.models import Role, User
from stride.content.models import (
    Article,
    ArticleStatus,
    Condition,
    Faq,
    FaqCategory,
    Resource,
    ResourceKind,
)
from stride.content.services import article_render, faq_render, resource_file_info_refresh
from stride.scheduling.models import Location, Therapist

ARTICLE_BODY = """\
## Understanding Back Pain

Back pain is a common issue that can arise from posture, strain and injury.

## Effective Exercises

Stretching, strengthening and low-impact aerobic activities can help.

### Knee-to-chest

Hold for five seconds.

## When to Consult a Therapist

If pain persists, see a physical therapist.
"""


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"staff{n}@stride.test")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Staff{n}")
    role = Role.THERAPIST
    is_staff = True


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("slug",)

    name = "Stride Physical Therapy"
    slug = "stride-physical-therapy"
    tagline = "Physical therapy that helps you move."
    street_address = "1 Test Street"
    locality = "Brooklyn"
    region = "NY"
    postal_code = "11201"
    phone = "(718) 555-0100"
    email = "hello@stride.test"
    timezone = "America/New_York"
    is_primary = True


class TherapistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Therapist

    user = factory.SubFactory(UserFactory)
    slug = factory.Sequence(lambda n: f"therapist-{n}")
    display_name = factory.Sequence(lambda n: f"Dr. Test Therapist {n}")
    credentials = "PT, DPT"
    bio = "Helps people move."
    location = factory.SubFactory(LocationFactory)


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Condition

    name = factory.Sequence(lambda n: f"Condition {n}")
    slug = factory.Sequence(lambda n: f"condition-{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    """A public article (published yesterday), rendered as the admin would render it."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Article number {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    subheading = "A short subheading."
    summary = "A summary of the article."
    body = ARTICLE_BODY
    status = ArticleStatus.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    reviewed_on = dt.date(2026, 3, 3)

    @classmethod
    def _create(cls, model_class: type[Article], *args: Any, **kwargs: Any) -> Article:
        article = model_class(*args, **kwargs)
        article_render(article, save=False)
        article.save()
        return article

    @factory.post_generation
    def conditions(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.conditions.set(extracted)

    @factory.post_generation
    def related(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.related.set(extracted)


class FaqCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaqCategory

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    order = factory.Sequence(int)


class FaqFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Faq

    question = factory.Sequence(lambda n: f"Question number {n}?")
    slug = factory.Sequence(lambda n: f"question-{n}")
    answer = "An answer with **emphasis**."
    category = factory.SubFactory(FaqCategoryFactory)
    order = factory.Sequence(int)

    @classmethod
    def _create(cls, model_class: type[Faq], *args: Any, **kwargs: Any) -> Faq:
        faq = model_class(*args, **kwargs)
        faq_render(faq, save=False)
        faq.save()
        return faq


class ResourceFactory(factory.django.DjangoModelFactory):
    """An external link; use ``handout=True`` for a small text handout."""

    class Meta:
        model = Resource

    class Params:
        handout = factory.Trait(
            kind=ResourceKind.HANDOUT,
            url="",
            file=factory.LazyFunction(
                lambda: ContentFile(b"Back care at home.\n", name="back-care.txt")
            ),
        )

    title = factory.Sequence(lambda n: f"Resource {n}")
    slug = factory.Sequence(lambda n: f"resource-{n}")
    description = "Helpful."
    kind = ResourceKind.LINK
    url = "https://www.nhs.uk/conditions/back-pain/"

    @classmethod
    def _create(cls, model_class: type[Resource], *args: Any, **kwargs: Any) -> Resource:
        resource = model_class(*args, **kwargs)
        resource.save()
        return resource_file_info_refresh(resource)
