"""Public content URLs, mounted at the site root (names are global: "home", "article_list"...)."""

from django.urls import path

from . import views
from .feeds import ArticleFeed

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="article_list"),
    path("articles/feed/", ArticleFeed(), name="article_feed"),
    path("articles/<slug:slug>/", views.article_detail, name="article_detail"),
    path("faq/", views.faq_list, name="faq_list"),
    path("resources/", views.resource_list, name="resource_list"),
    path("search/", views.search, name="search"),
]
