"""WSGI entry point for the app server.

Repeated hits on cached public pages are answered before Django's handler runs
(``stride.core.pagecache.PublicPageFastPath``).
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

django_application = get_wsgi_application()

from stride.core.pagecache import PublicPageFastPath  # noqa: E402 (needs Django set up)

application = PublicPageFastPath(django_application)

# What is loaded by now (settings, apps, models, URL patterns) lives as long as the worker: keep
# it out of the garbage collector's passes, which would otherwise walk all of it now and then
# in the middle of a request.
gc.freeze()
