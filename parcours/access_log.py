"""gunicorn's access log without personal data (CNIL, recommandation 2021-122): one line
per request with its method, path, status, duration and size — no address, no query
string, no referrer, and the secrets some paths carry (calendar links, e-mail and
password-reset tokens, verification codes) replaced by a placeholder."""

from __future__ import annotations

import re

from gunicorn.glogging import Logger

# A path's secret part, after a known prefix.
SECRETS = [
    (re.compile(r"^(/agenda/)[^/]+(\.ics)$"), r"\1…\2"),
    (re.compile(r"^(/compte/confirmer/)[^/]+/[^/]+/"), r"\1…/"),
    (re.compile(r"^(/compte/mot-de-passe/nouveau/)[^/]+/[^/]+/"), r"\1…/"),
    (re.compile(r"^(/verifier/)[^/]+/"), r"\1…/"),
]


def redacted(path: str) -> str:
    for pattern, replacement in SECRETS:
        path = pattern.sub(replacement, path)
    return path


class PrivateAccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redacted(atoms.get("U") or "")
        for name in ("h", "q", "f", "a", "r"):  # address, query, referrer, agent, raw line
            atoms[name] = "-"
        return atoms
