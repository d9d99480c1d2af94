"""Customer services: the duplicate guard, credit codes, permissions to change."""

import pytest
from django.core.exceptions import ValidationError

from backend.core.errors import PermissionDenied, ValidationFailed
from backend.customers import services
from backend.customers.identity import credit_code_problem, normalize_name
from backend.customers.models import Customer
from tests.factories import CustomerFactory, valid_credit_code

pytestmark = pytest.mark.django_db


def test_normalized_name_ignores_width_case_spaces_and_punctuation():
    assert normalize_name("（北京）华信 科技有限公司") == normalize_name("(北京)华信科技有限公司")
    assert normalize_name("Contoso  Ltd.") == normalize_name("contoso ltd")
    assert normalize_name("Ｃｏｎｔｏｓｏ") == "contoso"


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("91350100M000100Y43", None),  # a published example with a valid check character
        ("91350100M000100Y44", "check character should be 3"),
        ("91350100M000100Y4", "must be 18 characters"),
        ("91350100M000100I43", "not allowed"),
    ],
)
def test_credit_code_validation(code, problem):
    result = credit_code_problem(code)
    if problem is None:
        assert result is None
    else:
        assert problem in result


def test_create_sets_owner_and_normalizes_credit_code(bidmgr):
    code = valid_credit_code(7)
    customer = services.customer_create(actor=bidmgr, name="  华信科技有限公司 ", credit_code=code.lower())
    assert customer.owner == bidmgr
    assert customer.name == "华信科技有限公司"
    assert customer.credit_code == code


def test_duplicate_name_is_refused_naming_the_existing_customer(bidmgr):
    existing = CustomerFactory(name="北京华信科技有限公司", owner=bidmgr)
    with pytest.raises(ValidationFailed) as err:
        services.customer_create(actor=bidmgr, name="北京 华信科技 有限公司")
    assert "北京华信科技有限公司" in err.value.message
    assert err.value.extra["existing_customer"] == existing.pk
    assert Customer.objects.count() == 1


def test_duplicate_credit_code_is_refused(bidmgr):
    existing = CustomerFactory(name="Alpha Ltd", owner=bidmgr)
    with pytest.raises(ValidationFailed) as err:
        services.customer_create(actor=bidmgr, name="Beta Ltd", credit_code=existing.credit_code)
    assert "Alpha Ltd" in err.value.message
    assert Customer.objects.count() == 1


def test_invalid_credit_code_is_refused(bidmgr):
    with pytest.raises(ValidationFailed) as err:
        services.customer_create(actor=bidmgr, name="Gamma", credit_code="91350100M000100Y44")
    assert "check character" in err.value.message
    assert not Customer.objects.exists()


def test_update_guards_duplicates_but_not_against_itself(bidmgr):
    CustomerFactory(name="Alpha Ltd", owner=bidmgr)
    beta = CustomerFactory(name="Beta Ltd", owner=bidmgr)
    services.customer_update(actor=bidmgr, customer=beta, data={"name": "Beta Ltd.", "address": "Beijing"})
    beta.refresh_from_db()
    assert (beta.name, beta.address) == ("Beta Ltd.", "Beijing")
    with pytest.raises(ValidationFailed):
        services.customer_update(actor=bidmgr, customer=beta, data={"name": "ALPHA ltd"})
    beta.refresh_from_db()
    assert beta.name == "Beta Ltd."


def test_update_with_bad_choice_changes_nothing(bidmgr):
    customer = CustomerFactory(owner=bidmgr, industry="finance")
    with pytest.raises(ValidationError):
        services.customer_update(actor=bidmgr, customer=customer, data={"industry": "astrology", "notes": "x"})
    customer.refresh_from_db()
    assert (customer.industry, customer.notes) == ("finance", "")


def test_only_owner_heads_and_directors_may_change(make_user, director):
    from tests.factories import DepartmentFactory

    team = DepartmentFactory()
    owner = make_user("owner", "bid_manager", department=team)
    head = make_user("head", "bid_manager")
    team.head = head
    team.save()
    stranger = make_user("stranger", "bid_manager")
    customer = CustomerFactory(owner=owner)
    for allowed in (owner, head, director):
        services.customer_update(actor=allowed, customer=customer, data={"notes": f"by {allowed.username}"})
    with pytest.raises(PermissionDenied):
        services.customer_update(actor=stranger, customer=customer, data={"notes": "nope"})
    customer.refresh_from_db()
    assert customer.notes == "by director"


def test_interaction_refuses_contacts_of_another_customer(bidmgr):
    from django.utils import timezone

    from tests.factories import ContactFactory

    customer = CustomerFactory(owner=bidmgr)
    foreign = ContactFactory(name="Outsider")
    with pytest.raises(ValidationFailed) as err:
        services.interaction_create(
            actor=bidmgr, customer=customer, kind="call", occurred_at=timezone.now(), summary="Call", contacts=[foreign]
        )
    assert "Outsider" in err.value.message
    assert not customer.interactions.exists()
