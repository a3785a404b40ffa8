"""The demo command of `make run`."""

import pytest
from django.core.management import CommandError, call_command

from accounts.services import create_demo_accounts
from awards import services
from awards.models import Credit


def test_the_demo_learner_has_five_cp29_ues_once(django_user_model):
    with pytest.raises(CommandError, match="comptes de démonstration"):
        call_command("load_demo_awards")
    create_demo_accounts()
    call_command("load_demo_awards")
    call_command("load_demo_awards")
    learner = django_user_model.objects.get(email="apprenant@demo.parcours.re")
    assert Credit.objects.filter(learner=learner).count() == 5
    assert services.path_for(learner, "CP29", staff=False).status.ects_earned == 30
