"""Errors to Sentry, only when SENTRY_DSN is set (issue 15, item 5), without personal
data (CNIL, recommandation 2021-122): no user, address, cookie, header or request body,
no query string, no frame variables nor breadcrumbs, and the path's secrets (calendar
tokens, confirmation links, verification codes) replaced as in the access log."""

from __future__ import annotations

from parcours.access_log import redacted


def scrub(event: dict, hint: dict | None = None) -> dict:
    request = event.get("request") or {}
    if "url" in request:
        scheme, sep, rest = request["url"].partition("://")
        host, slash, path = rest.partition("/")
        request["url"] = f"{scheme}{sep}{host}{redacted(slash + path.split('?', 1)[0])}"
    for key in ("query_string", "cookies", "data", "headers", "env"):
        request.pop(key, None)
    event.pop("user", None)
    if "transaction" in event:
        event["transaction"] = redacted(str(event["transaction"]))
    return event


def init_sentry(dsn: str, environment: str, release: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration()],
        # send_default_pii stays at its default (off); `scrub` enforces it anyway.
        max_request_body_size="never",
        # A frame's variables and the breadcrumbs (log lines, SQL) may hold anyone's
        # data: the stack trace alone says where it broke.
        include_local_variables=False,
        max_breadcrumbs=0,
        traces_sample_rate=0.0,
        before_send=scrub,
    )
