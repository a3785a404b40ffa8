"""Pages of the applicant (pre-registration, pieces, deposit, personal space) and of
the reception and direction (queue, dossier review, payments, termination).

Access: each view declares its rule; a learner's objects are fetched through a query
scoped to `learner=request.user`, so another learner's dossier, piece or file is a 404
and nothing is written. GET never writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from admissions import contract, services
from admissions.forms import (
    STEP_TITLES,
    STEPS,
    FirstRegistrationForm,
    IncompleteForm,
    PaymentForm,
    ProgrammeForm,
    QueueFilterForm,
    RefuseForm,
    ReviewForm,
    TerminationForm,
    UploadForm,
)
from admissions.models import Dossier, DossierFile, DossierItem, DossierUnit, Payment
from admissions.presenters import piece_rows, space_summary
from assessment.services import exam_notices
from catalogue.models import Centre
from parcours import clock, pades, uploads
from parcours.access import (
    attempt,
    direction_only,
    is_direction,
    is_learner,
    is_staff_member,
    is_teacher,
    learner_only,
    learner_or_staff,
    public,
    restricted_to,
    staff_only,
)
from parcours.history import changes
from parcours.pdf import pdf_bytes_response, pdf_response, render_pdf
from rules.explain import euros

ALL_STEPS = [*STEP_TITLES, ("pieces", "Pièces justificatives"), ("depot", "Récapitulatif et dépôt")]


DOSSIER_PAGE = ("units__unit", "items__files", "payments")


def _own(request, pk: int) -> Dossier:
    """The learner's own dossier (another learner's is a 404), with what its pages show."""
    return get_object_or_404(
        Dossier.objects.select_related("year", "programme", "centre", "learner").prefetch_related(
            *DOSSIER_PAGE
        ),
        pk=pk,
        learner=request.user,
    )


def _visible(request, pk: int) -> Dossier:
    """The learner's own dossier, or any dossier for the reception and direction."""
    dossiers = Dossier.objects.select_related(
        "year", "programme", "centre", "learner"
    ).prefetch_related(*DOSSIER_PAGE)
    if is_staff_member(request.user):
        return get_object_or_404(dossiers.exclude(status=Dossier.Status.DRAFT), pk=pk)
    return get_object_or_404(dossiers, pk=pk, learner=request.user)


def _stepper(slug: str) -> dict:
    index = [s for s, _ in ALL_STEPS].index(slug)
    return {
        "current_step_id": index + 1,
        "current_step_title": ALL_STEPS[index][1],
        "next_step_title": ALL_STEPS[index + 1][1] if index + 1 < len(ALL_STEPS) else "",
        "total_steps": len(ALL_STEPS),
    }


def _next_url(dossier: Dossier, slug: str) -> str:
    slugs = [s for s, _ in ALL_STEPS]
    following = slugs[slugs.index(slug) + 1]
    if following == "pieces":
        return reverse("admissions:pieces", args=[dossier.pk])
    if following == "depot":
        return reverse("admissions:dossier", args=[dossier.pk])
    return reverse("admissions:step", args=[dossier.pk, following])


def _crumbs(*links, current):
    return {
        "links": [{"url": reverse("admissions:space"), "title": "Mon espace"}, *links],
        "current": current,
    }


@public
@require_GET
def home(request):
    """Where signing in leads: learners to their space, staff to the dossiers, teachers
    to their groups, anyone else to the catalogue."""
    if request.user.is_authenticated:
        if is_staff_member(request.user):
            return redirect("admissions:queue")
        if is_teacher(request.user):
            return redirect("teaching:groups")
        if is_learner(request.user):
            return redirect("admissions:space")
    return redirect("catalogue:home")


# --- the applicant -----------------------------------------------------------------------


@learner_only
@require_GET
def space(request):
    """The learner's personal space: dossiers, what is missing, money, documents."""
    dossiers = list(
        Dossier.objects.filter(learner=request.user)
        .select_related("year", "programme", "centre", "cancellation")
        .prefetch_related("units__unit", "items__files", "payments")
        .order_by("-year__code", "-pk")
    )
    services.note_first_registrations(dossiers)
    years = services.open_years(clock.today())
    live_years = {d.year_id for d in dossiers if d.is_live}
    return render(
        request,
        "admissions/space.html",
        {
            "summaries": [space_summary(d) for d in dossiers],
            "has_final_registration": any(d.status == Dossier.Status.VALIDATED for d in dossiers),
            "notices": exam_notices(request.user),
            "open_years": [y for y in years if y.pk not in live_years],
            "breadcrumb_data": {"links": [], "current": "Mon espace"},
        },
    )


@learner_only
@require_http_methods(["GET", "POST"])
def start(request):
    """Start a pre-registration for an open year (R-REG-1): a draft, saved as it goes."""
    years = services.open_years(clock.today())
    if request.method == "POST":
        year = next((y for y in years if y.code == request.POST.get("year")), None)
        if year is None:
            messages.error(request, "Aucune préinscription n'est ouverte pour cette année.")
            return redirect("admissions:start")
        dossier = services.start_dossier(request.user, year)
        return redirect("admissions:step", dossier.pk, STEPS[0][0])
    return render(
        request,
        "admissions/start.html",
        {"years": years, "breadcrumb_data": _crumbs(current="Se préinscrire")},
    )


@learner_only
@require_http_methods(["GET", "POST"])
def step(request, pk: int, slug: str):
    dossier = _own(request, pk)
    forms_by_slug = {s: (title, form) for s, title, form in STEPS}
    if slug not in forms_by_slug:
        raise Http404
    title, form_class = forms_by_slug[slug]
    if not dossier.is_editable:
        messages.info(request, "Votre dossier est déposé : ses rubriques ne changent plus.")
        return redirect("admissions:dossier", dossier.pk)
    extra = {"windows": services.windows(dossier)} if form_class is ProgrammeForm else {}
    data = request.POST if request.method == "POST" else None
    if request.htmx and request.method == "GET" and request.GET:
        data = request.GET  # htmx refresh of the UE list when the programme changes
    form = form_class(data, dossier=dossier, **extra)
    slugs = [s for s, _ in ALL_STEPS]
    previous = slugs[slugs.index(slug) - 1] if slugs.index(slug) else None
    # "Rubrique précédente" submits too: what was typed is saved, as when going on
    # (issue 14, item 11); a step with errors stays, with them, nothing lost.
    if request.method == "POST" and form.is_valid():
        try:
            services.save_step(
                dossier, slug, form.values(), form.chosen_units(), form.seen_version()
            )
        except services.DossierError as refused:
            # Shown above the form with what was typed, nothing lost (a stale tab…).
            form.add_error(None, refused.messages)
        else:
            messages.success(request, f"Rubrique « {title} » enregistrée.")
            if request.POST.get("aller") == "precedente" and previous:
                return redirect("admissions:step", dossier.pk, previous)
            return redirect(_next_url(dossier, slug))
    if request.htmx and data is request.GET:
        form.errors.clear()
    return render(
        request,
        "admissions/step.html",
        {
            "dossier": dossier,
            "form": form,
            "title": title,
            "slug": slug,
            "stepper": _stepper(slug),
            "steps": _step_links(dossier),
            "previous_url": reverse("admissions:step", args=[dossier.pk, previous])
            if previous
            else None,
            "breadcrumb_data": _crumbs(current=f"Préinscription — {title}"),
        },
        status=400 if request.method == "POST" else 200,
    )


def _step_links(dossier: Dossier) -> list[dict]:
    links = []
    for slug, title in ALL_STEPS:
        if slug == "pieces":
            url = reverse("admissions:pieces", args=[dossier.pk])
        elif slug == "depot":
            url = reverse("admissions:dossier", args=[dossier.pk])
        else:
            url = reverse("admissions:step", args=[dossier.pk, slug])
        links.append({"slug": slug, "title": title, "url": url, "done": slug in dossier.steps_done})
    return links


@learner_only
@require_GET
def pieces(request, pk: int):
    dossier = _own(request, pk)
    return _pieces_page(request, dossier, {})


def _pieces_page(request, dossier: Dossier, forms_with_errors: dict, status: int = 200):
    rows = piece_rows(dossier)
    for row in rows:
        row.form = forms_with_errors.get(row.code) or UploadForm(
            dated=row.piece.max_age_days is not None, piece=row.piece.label, prefix=row.code
        )
    return render(
        request,
        "admissions/pieces.html",
        {
            "dossier": dossier,
            "rows": rows,
            "stepper": _stepper("pieces"),
            "steps": _step_links(dossier),
            "missing": services.missing_pieces(dossier),
            "breadcrumb_data": _crumbs(current="Pièces du dossier"),
        },
        status=status,
    )


@learner_only
@require_POST
def upload(request, pk: int, code: str):
    dossier = _own(request, pk)
    piece = next((p for p in services.pieces(dossier) if p.code == code), None)
    if piece is None or piece.status == "not_applicable":
        raise Http404
    form = UploadForm(
        request.POST,
        request.FILES,
        dated=piece.max_age_days is not None,
        piece=piece.label,
        prefix=code,
    )
    if form.is_valid():
        try:
            services.add_file(
                dossier,
                code,
                form.cleaned_data["file"],
                request.user,
                issued_on=form.cleaned_data.get("issued_on"),
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, f"Fichier ajouté : {piece.label}.")
            return redirect(reverse("admissions:pieces", args=[dossier.pk]) + f"#piece-{code}")
    return _pieces_page(request, dossier, {code: form}, status=400)


@learner_only
@require_POST
def remove_file(request, pk: int, file_pk: int):
    dossier = _own(request, pk)
    get_object_or_404(DossierFile, pk=file_pk, item__dossier=dossier)
    attempt(
        request, lambda: services.remove_file(dossier, file_pk, request.user), "Fichier retiré."
    )
    return redirect("admissions:pieces", dossier.pk)


@restricted_to("learner", learner_or_staff)
@require_GET
def download(request, pk: int, file_pk: int):
    """A piece's file, for its owner and the staff only (security guide, Uploads)."""
    dossier = _visible(request, pk)
    stored = get_object_or_404(DossierFile, pk=file_pk, item__dossier=dossier)
    return uploads.file_response(stored.stored_name, stored.display_name, stored.content_type)


@learner_only
@require_GET
def dossier(request, pk: int):
    """The summary of every section, the quote and the deposit (or the dossier's state)."""
    dossier = _own(request, pk)
    summary = space_summary(dossier)
    problems = (
        services.problems_before_deposit(dossier, STEP_TITLES, clock.today())
        if dossier.status == Dossier.Status.DRAFT
        else []
    )
    return render(
        request,
        "admissions/dossier.html",
        {
            "dossier": dossier,
            "contract_title": contract.TITLES[contract.kind_of(dossier)],
            # The document the applicant accepts with the deposit (R-ORG-3).
            "contract_digest": contract.digest(dossier)
            if dossier.status == Dossier.Status.DRAFT
            and not problems
            and dossier.year.regulation.contract is not None
            else "",
            "acceptance": dossier.contract_acceptances.first(),
            "s": summary,
            "problems": problems,
            "steps": _step_links(dossier),
            "stepper": _stepper("depot"),
            "breadcrumb_data": _crumbs(current=f"Dossier n° {dossier.reference}"),
        },
    )


@learner_only
@require_POST
def deposit(request, pk: int):
    dossier = _own(request, pk)
    accepted = request.POST.get("contract", "")[:64] if request.POST.get("accept") else ""
    attempt(
        request,
        lambda: services.deposit(dossier, STEP_TITLES, accepted, request.user),
        "Votre dossier est déposé. Vous pouvez vous rétracter pendant "
        f"{dossier.year.regulation.thresholds.withdrawal_days} jours.",
    )
    return redirect("admissions:dossier", dossier.pk)


@learner_only
@require_POST
def send_back(request, pk: int):
    dossier = _own(request, pk)
    attempt(
        request,
        lambda: services.send_back(dossier, STEP_TITLES),
        "Votre dossier complété est renvoyé au service accueil.",
    )
    return redirect("admissions:dossier", dossier.pk)


@learner_only
@require_http_methods(["GET", "POST"])
def withdraw(request, pk: int):
    """Withdrawal in two clicks: this page says the refund, the button confirms (R-REG-7)."""
    dossier = _own(request, pk)
    if request.method == "POST":
        attempt(
            request,
            lambda: services.withdraw(dossier, request.user),
            "Votre rétractation est enregistrée.",
        )
        return redirect("admissions:dossier", dossier.pk)
    if not dossier.deposited_on or not dossier.is_live:
        messages.info(request, "Seul un dossier déposé peut faire l'objet d'une rétractation.")
        return redirect("admissions:dossier", dossier.pk)
    preview = services.withdrawal_preview(dossier)
    return render(
        request,
        "admissions/withdraw.html",
        {
            "dossier": dossier,
            "preview": preview,
            "paid": services.total_paid(dossier),
            "breadcrumb_data": _crumbs(current="Se rétracter"),
        },
    )


@restricted_to("learner", learner_or_staff)
@require_GET
def quote_pdf(request, pk: int):
    dossier = _visible(request, pk)
    current = services.dossier_quote(dossier)
    return pdf_response(
        "admissions/pdf/quote.html",
        {
            "dossier": dossier,
            "quote": current,
            "balances": services.balances(dossier, current),
            "today": clock.today(),
            "centre": Centre.objects.regional(),
        },
        f"devis-{dossier.reference}.pdf",
    )


@restricted_to("learner", learner_or_staff)
@require_GET
def contract_pdf(request, pk: int):
    """The training contract or convention (R-ORG-3): the document to accept before the
    deposit, then the accepted one with its acceptance."""
    dossier = _visible(request, pk)
    try:
        document = {
            **contract.context(dossier),
            "acceptance": dossier.contract_acceptances.first(),
        }
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect("admissions:dossier", dossier.pk)
    filename = f"{contract.kind_of(dossier)}-formation-{dossier.reference}.pdf"
    if document["acceptance"] is None or not pades.configured():
        return pdf_response("admissions/pdf/contract.html", document, filename)
    # Accepted: the centre's copy, signed by the centre's certificate (PAdES).
    document["signed_by"] = pades.signer_name()
    signed = pades.sign(
        render_pdf("admissions/pdf/contract.html", document),
        reason=f"{document['title']} accepté(e) — dossier {dossier.reference}",
    )
    return pdf_bytes_response(signed, filename)


@restricted_to("learner", learner_or_staff)
@require_GET
def certificate_pdf(request, pk: int):
    """The registration certificate, once the registration is final (R-REG-9)."""
    dossier = _visible(request, pk)
    if dossier.status != Dossier.Status.VALIDATED:
        raise Http404
    return pdf_response(
        "admissions/pdf/certificate.html",
        {
            "dossier": dossier,
            "units": dossier.units.all(),
            "today": clock.today(),
            "centre": Centre.objects.regional(),
        },
        f"certificat-inscription-{dossier.reference}.pdf",
    )


# --- the reception and the direction -------------------------------------------------------


@staff_only
@require_GET
def queue(request):
    form = QueueFilterForm(request.GET or None)
    # The pieces to check as a correlated subquery, not a COUNT over a join: grouping by
    # every selected column (the year's source text included) took 27 s on 268 821
    # dossiers (issue 19, item 4); the year's source is not read at all.
    uploaded = (
        DossierItem.objects.filter(dossier=OuterRef("pk"), status=DossierItem.Status.UPLOADED)
        .order_by()
        .values("dossier")
        .annotate(n=Count("pk"))
        .values("n")
    )
    dossiers = (
        Dossier.objects.exclude(status=Dossier.Status.DRAFT)
        .select_related("programme", "centre", "year")
        .defer("year__source")
        .annotate(to_check=Coalesce(Subquery(uploaded), 0))
        .order_by("deposited_on", "pk")
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            dossiers = dossiers.filter(status=data["status"])
        if data["programme"]:
            dossiers = dossiers.filter(programme=data["programme"])
        if data["centre"]:
            dossiers = dossiers.filter(centre=data["centre"])
        if data["semester"]:
            chosen = DossierUnit.objects.filter(semester=data["semester"]).values("dossier_id")
            dossiers = dossiers.filter(pk__in=chosen)
        if data["q"]:
            q = data["q"].strip()
            dossiers = dossiers.filter(
                Q(last_name__icontains=q)
                | Q(first_name__icontains=q)
                | Q(learner__email__icontains=q)
            )
    return render(
        request,
        "admissions/staff/queue.html",
        {
            "form": form,
            "page_obj": Paginator(dossiers, QUEUE_PAGE).get_page(request.GET.get("page")),
            "filters": _without_page(request.GET),
            "breadcrumb_data": {"links": [], "current": "Dossiers d'inscription"},
        },
    )


QUEUE_PAGE = 100  # dossiers per page of the reception's queue


def _without_page(query) -> str:
    """The filters of a list's address, for its page links."""
    kept = query.copy()
    kept.pop("page", None)
    return kept.urlencode()


def _staff_crumbs(current: str) -> dict:
    return {
        "links": [{"url": reverse("admissions:queue"), "title": "Dossiers d'inscription"}],
        "current": current,
    }


def _centre_dossiers():
    """The dossiers the centre may open: deposited once at least (a draft is the
    applicant's own until they deposit it)."""
    return Dossier.objects.exclude(status=Dossier.Status.DRAFT)


def _staff_dossier(pk: int) -> Dossier:
    return get_object_or_404(
        _centre_dossiers()
        .select_related("year", "programme", "centre", "learner")
        .prefetch_related(*DOSSIER_PAGE),
        pk=pk,
    )


@staff_only
@require_GET
def staff_dossier(request, pk: int):
    return _staff_page(request, _staff_dossier(pk))


def _first_registration_form(dossier) -> FirstRegistrationForm:
    override = dossier.first_registration_override
    value = "auto" if override is None else ("yes" if override else "no")
    return FirstRegistrationForm(
        initial={"value": value, "reason": dossier.first_registration_reason}
    )


def _staff_page(request, dossier, *, payment_form=None, first_registration_form=None, status=200):
    summary = space_summary(dossier)
    return render(
        request,
        "admissions/staff/dossier.html",
        {
            "dossier": dossier,
            "s": summary,
            "review_form": ReviewForm(),
            "incomplete_form": IncompleteForm(),
            "refuse_form": RefuseForm(),
            "payment_form": payment_form or PaymentForm(),
            "first_registration": services.is_first_registration(dossier),
            "first_registration_form": (
                first_registration_form or _first_registration_form(dossier)
            )
            if dossier.status in (Dossier.Status.DEPOSITED, Dossier.Status.INCOMPLETE)
            else None,
            "validation_problems": services.problems_before_validation(dossier)
            if dossier.status == Dossier.Status.DEPOSITED
            else [],
            "history": _history(dossier),
            "is_direction": is_direction(request.user),
            "staff_view": True,
            "breadcrumb_data": _staff_crumbs(f"Dossier n° {dossier.reference}"),
        },
        status=status,
    )


# Not shown as changes: bookkeeping, and who reviewed (the row already says who acted).
HISTORY_SKIPPED = {
    *("id", "updated_at", "created_at", "steps_done", "learner", "year", "dossier"),
    *("reviewed_at", "reviewed_by", "recorded_by", "token"),
}


def _history(dossier: Dossier) -> list[dict]:
    """Who changed what and when — the dossier, its pieces and its payments — with
    before → after for each change (three queries, whatever their number)."""
    labels = {p.code: p.label for p in services.pieces(dossier)}
    sources = [
        ("Dossier", dossier.history.select_related("history_user")[:60], lambda h: ""),
        (
            "Pièce",
            DossierItem.history.filter(dossier_id=dossier.pk).select_related("history_user")[:120],
            lambda h: f" « {labels.get(h.code, h.code)} »",
        ),
        (
            "Paiement",
            Payment.history.filter(dossier_id=dossier.pk).select_related("history_user")[:60],
            lambda h: f" de {euros(h.amount)} ({h.get_method_display()})",
        ),
    ]
    rows = []
    for kind, records, name in sources:
        previous: dict[int, object] = {}
        for record in sorted(records, key=lambda r: r.history_date):
            verb = {"+": "créé(e)", "~": "modifié(e)", "-": "supprimé(e)"}[record.history_type]
            change = changes(previous.get(record.id), record, HISTORY_SKIPPED)
            previous[record.id] = record
            rows.append(
                {
                    "row": record,
                    "what": f"{kind}{name(record)} {verb}" + (f" : {change}" if change else ""),
                }
            )
    return sorted(rows, key=lambda r: r["row"].history_date, reverse=True)[:100]


@staff_only
@require_POST
def review(request, pk: int, item_pk: int):
    item = get_object_or_404(
        DossierItem.objects.select_related("dossier").exclude(dossier__status=Dossier.Status.DRAFT),
        pk=item_pk,
        dossier_id=pk,
    )
    form = ReviewForm(request.POST)
    if form.is_valid():
        accepted = form.cleaned_data["decision"] == "accept"
        attempt(
            request,
            lambda: services.review_item(item, accepted, form.cleaned_data["reason"], request.user),
            "Décision enregistrée.",
        )
    else:
        messages.error(request, "Choisissez « Accepter » ou « Refuser ».")
    return redirect(reverse("admissions:staff_dossier", args=[pk]) + f"#piece-{item.code}")


@staff_only
@require_POST
def incomplete(request, pk: int):
    dossier = get_object_or_404(_centre_dossiers(), pk=pk)
    form = IncompleteForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.mark_incomplete(dossier, form.cleaned_data["note"], request.user),
            "Dossier déclaré incomplet ; l'apprenant est prévenu.",
        )
    return redirect("admissions:staff_dossier", pk)


@staff_only
@require_POST
def validate(request, pk: int):
    dossier = get_object_or_404(_centre_dossiers(), pk=pk)
    attempt(
        request,
        lambda: services.validate(dossier, request.user),
        "Dossier validé : l'inscription est définitive.",
    )
    return redirect("admissions:staff_dossier", pk)


@staff_only
@require_POST
def refuse(request, pk: int):
    dossier = get_object_or_404(_centre_dossiers(), pk=pk)
    form = RefuseForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.refuse(dossier, form.cleaned_data["reason"], request.user),
            "Dossier refusé ; l'apprenant est prévenu.",
        )
    else:
        messages.error(request, "Indiquez le motif du refus : l'apprenant le recevra.")
    return redirect("admissions:staff_dossier", pk)


@direction_only
@require_POST
def decide_rate(request, pk: int):
    dossier = get_object_or_404(_centre_dossiers(), pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "refuse"):
        messages.error(request, "Décision attendue : accorder ou refuser.")
    else:
        attempt(
            request,
            lambda: services.decide_rate(dossier, decision == "approve", request.user),
            "Décision de la direction enregistrée.",
        )
    return redirect("admissions:staff_dossier", pk)


@staff_only
@require_POST
def first_registration(request, pk: int):
    dossier = _staff_dossier(pk)
    form = FirstRegistrationForm(request.POST)
    if form.is_valid():
        try:
            services.set_first_registration(
                dossier, form.override, form.cleaned_data["reason"], request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Première inscription enregistrée ; le devis la suit.")
            return redirect(
                reverse("admissions:staff_dossier", args=[pk]) + "#premiere-inscription"
            )
    return _staff_page(request, dossier, first_registration_form=form, status=400)


@staff_only
@require_POST
def signed_certificate(request, pk: int):
    """The employer's signed certificate arrived: the guarantee cheques go back."""
    dossier = _staff_dossier(pk)
    try:
        returned = services.signed_certificate_received(dossier, request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            f"Attestation signée enregistrée ; {returned} chèque(s) de garantie à rendre à "
            "l'élève.",
        )
    return redirect(reverse("admissions:staff_dossier", args=[pk]) + "#paiements")


@staff_only
@require_POST
def payment(request, pk: int):
    dossier = _staff_dossier(pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_payment(
                dossier,
                token=data["token"],
                payer=data["payer"],
                method=data["method"],
                amount=data["amount"],
                received_on=data["received_on"],
                cheque_number=data["cheque_number"],
                reference=data["reference"],
                by=request.user,
                confirmed_second=data["confirmed_second"],
                is_guarantee=data["is_guarantee"],
                scheme=data["scheme"],
            )
        except services.DuplicatePayment as error:
            form.ask_confirmation(error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Paiement enregistré.")
            return redirect(reverse("admissions:staff_dossier", args=[pk]) + "#paiements")
    return _staff_page(request, dossier, payment_form=form, status=400)


@staff_only
@require_http_methods(["GET", "POST"])
def terminate(request, pk: int):
    """Termination for force majeure, with the registered letter (R-REG-8)."""
    dossier = get_object_or_404(
        Dossier.objects.select_related("year", "programme", "centre", "learner"),
        pk=pk,
        status=Dossier.Status.VALIDATED,
    )
    basis = dossier.year.regulation.thresholds.termination_basis
    form = TerminationForm(request.POST or None, basis=basis)
    preview = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirm") == "1":
            if attempt(
                request,
                lambda: services.terminate(dossier, request.user, **form.termination()),
                "Résiliation enregistrée ; l'apprenant est prévenu.",
            ):
                return redirect("admissions:staff_dossier", pk)
        else:
            try:
                preview = services.settlement_preview(dossier, **form.termination())
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
    return render(
        request,
        "admissions/staff/terminate.html",
        {
            "dossier": dossier,
            "form": form,
            "preview": preview,
            "paid": services.total_paid(dossier),
            "breadcrumb_data": _staff_crumbs("Résiliation"),
        },
    )
