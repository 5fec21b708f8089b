from django.http import HttpResponse
from django.urls import path

from buurtplatform.urls import *  # noqa: F403
from buurtplatform.urls import urlpatterns as site_patterns


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare), *site_patterns]
