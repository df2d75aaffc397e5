"""Cache invalidation: every change to articles, FAQ or resources bumps the content generation."""

from stride.core.generations import CONTENT, generation_bump_on_change

from .models import Article, Condition, Faq, FaqCategory, Resource


def connect() -> None:
    """Connect the receivers (from ``ContentConfig.ready()``)."""
    generation_bump_on_change(
        CONTENT,
        models=[Article, Condition, Faq, FaqCategory, Resource],
        relations=[Article.conditions.through, Article.related.through],
    )
