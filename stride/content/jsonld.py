"""Schema.org JSON-LD for content pages, serialised safely for a <script> block."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from stride.scheduling.models import Location

from .models import Article, Faq

DEFAULT_CLINIC_NAME = "Stride Physical Therapy"

# Same escapes as django.utils.html.json_script: the text can never close the script
# element or open a comment, whatever editors type.
_SCRIPT_ESCAPES = {
    ord(">"): "\\u003E",
    ord("<"): "\\u003C",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def jsonld_dumps(data: dict[str, Any]) -> SafeString:
    """Serialise ``data`` as JSON safe to place between <script> tags."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    # nosemgrep: stride-mark-safe -- <, >, & and U+2028/9 escaped, as json_script does
    return mark_safe(text.translate(_SCRIPT_ESCAPES))  # noqa: S308 (escaped above)


def absolute_url(path: str) -> str:
    """Return ``path`` on the public site (SITE_URL)."""
    return f"{settings.SITE_URL}{path}"


def clinic_jsonld(clinic: Location | None) -> dict[str, Any]:
    """Describe the clinic as a schema.org MedicalClinic."""
    data: dict[str, Any] = {
        "@type": "MedicalClinic",
        "name": clinic.name if clinic else DEFAULT_CLINIC_NAME,
        "url": absolute_url("/"),
    }
    if clinic is not None:
        data["telephone"] = clinic.phone
        data["email"] = clinic.email
        data["address"] = {
            "@type": "PostalAddress",
            "streetAddress": clinic.street_address,
            "addressLocality": clinic.locality,
            "addressRegion": clinic.region,
            "postalCode": clinic.postal_code,
            "addressCountry": clinic.country,
        }
    return data


def article_jsonld(article: Article, *, clinic: Location | None) -> dict[str, Any]:
    """Describe ``article`` as a schema.org MedicalWebPage."""
    published = article.published_at
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": article.title,
        "headline": article.title,
        "description": article.summary,
        "url": absolute_url(article.get_absolute_url()),
        "datePublished": published.isoformat() if published else None,
        "dateModified": article.last_modified.isoformat(),
        "inLanguage": "en",
        "about": [
            {"@type": "MedicalCondition", "name": condition.name}
            for condition in article.conditions.all()
        ],
        "publisher": clinic_jsonld(clinic),
    }
    if article.reviewed_on:
        data["lastReviewed"] = article.reviewed_on.isoformat()
    if article.reviewed_by:
        data["reviewedBy"] = {
            "@type": "Person",
            "name": article.reviewed_by.display_name,
            "honorificSuffix": article.reviewed_by.credentials,
        }
    return data


def faq_page_jsonld(faqs: list[Faq], *, url: str) -> dict[str, Any]:
    """Describe the questions as a schema.org FAQPage; answers are sanitised HTML."""
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "url": url,
        "mainEntity": [
            {
                "@type": "Question",
                "name": faq.question,
                "acceptedAnswer": {"@type": "Answer", "text": faq.answer_html.strip()},
            }
            for faq in faqs
        ],
    }
