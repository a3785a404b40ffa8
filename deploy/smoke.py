"""A smoke journey against a running production profile (gunicorn + worker), over the
loopback: public pages, static files, a sign-up whose confirmation e-mail the worker
must send, and /sante/. Exit status 0 when all is well; run by .ci/run.

    python deploy/smoke.py http://127.0.0.1:8100
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

PAGES = ["/", "/formations/CPN42/", "/calendrier/", "/tarifs/", "/planning/", "/accessibilite/"]


def main(site: str) -> int:
    if not site.startswith(("http://", "https://")):
        raise SystemExit(f"adresse http(s) attendue : {site}")
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(path: str) -> tuple[int, str]:
        try:
            with opener.open(site + path, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    problems = []
    for _ in range(30):  # the server may still be starting
        try:
            if get("/sante/")[0] in (200, 503):
                break
        except OSError:
            time.sleep(1)
    for path in PAGES:
        status, body = get(path)
        if status != 200 or "<html" not in body:
            problems.append(f"{path} : {status}")
    status, body = get("/compte/inscription/")
    css = re.search(r'href="(/static/[^"]+\.css)"', body)
    if not css or get(css.group(1))[0] != 200:
        problems.append("feuille de style non servie")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    email = f"fumee-{int(time.time())}@example.re"
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "email": email,
            "password": "Flamboyant-du-Port-2016-fumee",
            "password_confirmation": "Flamboyant-du-Port-2016-fumee",
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (http(s) checked above)
        site + "/compte/inscription/", data=form, headers={"Referer": site + "/"}
    )
    try:
        with opener.open(request, timeout=30) as response:
            signed_up = response.status == 200 and "/inscription/messagerie/" in response.url
    except urllib.error.HTTPError as error:
        signed_up = False
        problems.append(f"inscription : {error.code}")
    if not signed_up:
        problems.append("inscription refusée")
    # The confirmation e-mail is a job: the worker must take it.
    for _ in range(30):
        health = json.loads(get("/sante/")[1])
        if health["travaux"]["en_attente"] == 0 and health["travaux"]["en_cours"] == 0:
            break
        time.sleep(1)
    else:
        problems.append(f"le travailleur ne vide pas la file : {health['travaux']}")
    if health["statut"] != "ok":
        problems.append(f"/sante/ : {health}")
    if health.get("travailleurs_actifs", 0) < 1:
        problems.append("aucun travailleur ne donne signe de vie (battement)")
    for line in problems:
        print("ÉCHEC", line)
    print("fumée :", "ok" if not problems else f"{len(problems)} problème(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8100"))
