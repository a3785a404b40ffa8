"""The awards app's services, one function each, in a transaction — the ledger of earned
UEs, experience and internships, VAE/VAP85/VES, the path to the diploma, award requests
and issued documents — each concern in its module (ledger, experience, validations, path,
requests, documents; issue 19, item 7); this module is the app's one door to them.
Decisions are the rules core's (rules.awards, rules.experience, rules.fees)."""

from awards.documents import (  # noqa: F401
    TranscriptRow,
    find_document,
    holder_name,
    issue_attendance,
    issue_document,
    issue_transcript,
    learners_like,
    revoke_document,
    transcript_rows,
    unit_or_error,
)
from awards.errors import AwardError  # noqa: F401
from awards.experience import (  # noqa: F401
    add_period,
    periods_of,
    remove_period,
    review_period,
)
from awards.ledger import (  # noqa: F401
    JURY_WAYS,
    STAFF_WAYS,
    UNIT_BITS,
    guard_granted,
    reconcile_exam_credits,
    record_credit,
    refresh_jury_credits,
    store_evidence,
    sync_all_credits,
    sync_jury_credits,
    withdraw_credit,
)
from awards.path import (  # noqa: F401
    AWARD_PROGRAMMES,
    LearnerRecord,
    ProgrammePath,
    UnitToTake,
    access_of,
    decide_award,
    learner_record,
    programme_path,
    regulation_on,
)
from awards.requests import (  # noqa: F401
    check_request,
    grant,
    path_for,
    refuse_request,
    request_award,
)
from awards.validations import (  # noqa: F401
    decide_validation,
    open_from_registration,
    open_validation,
    record_validation_fee,
    schedule_validation,
    submit_validation_dossier,
    validation_fee,
)
