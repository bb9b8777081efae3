"""The floor of the benchmark (bench/): what any request costs on this machine at all.

One indexed query (an organisation by primary key) through the whole middleware stack, and a
tiny plain-text answer. Every other figure of `make bench` can be read as a ratio to this one.
It shows nothing that is not public already.
"""

from django.http import HttpResponse

from ..models import Organisation


def floor(request):
    try:
        pk = int(request.GET.get("id", "1"))
    except ValueError:
        pk = 1
    name = Organisation.objects.filter(pk=pk).values_list("name", flat=True).first()
    return HttpResponse(f"{name or '-'}\n", content_type="text/plain; charset=utf-8")
