"""Security baseline: every route declares who may see it."""

from django.urls import URLPattern, URLResolver, get_resolver

from parcours.access import ACCESS_RULES

# Django's admin checks staff status and model permissions itself.
DELEGATED_NAMESPACES = {"admin"}


def walk(patterns, namespace=None, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(
                entry.url_patterns, entry.namespace or namespace, prefix + str(entry.pattern)
            )
        elif isinstance(entry, URLPattern):
            yield namespace, prefix + str(entry.pattern), entry.callback


def test_every_route_declares_its_access_rule():
    undeclared = []
    routes = list(walk(get_resolver().url_patterns))
    for namespace, route, view in routes:
        if namespace in DELEGATED_NAMESPACES:
            continue
        rule = getattr(view, "access_rule", None) or getattr(
            getattr(view, "view_class", None), "access_rule", None
        )
        if rule not in ACCESS_RULES:
            undeclared.append(route)
    assert len(routes) > 10
    assert undeclared == []


def test_the_admin_refuses_a_learner(client, django_user_model):
    from accounts.services import create_demo_accounts

    create_demo_accounts()
    learner = django_user_model.objects.get(email="apprenant@demo.parcours.re")
    client.force_login(learner)

    response = client.get("/admin/catalogue/unit/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
