"""The product's URLs plus /bench/hello/, the framework's own ceiling. Only for the benchmark."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bench_hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"hello", content_type="text/plain")


urlpatterns = [
    path("bench/hello/", bench_hello, name="bench_hello"),
    path("", include("crowdstudio.urls")),
]
