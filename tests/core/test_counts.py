"""Lists' counts and totals are kept in the cache until a table they read is written (backend/core/counts.py):
exact after every kind of write Django sends, kept across requests otherwise."""

import pytest
from django.db import connection, transaction

from backend.core.counts import cached, cached_count, tables_of
from backend.customers.models import Customer
from tests.factories import CustomerFactory, UserFactory


@pytest.mark.django_db
def test_count_kept_until_a_table_it_reads_is_written(count_queries):
    owner = UserFactory()
    first, second, _third = CustomerFactory.create_batch(3, region="south", owner=owner)
    CustomerFactory(region="north", owner=owner)
    south = Customer.objects.filter(region="south")
    assert cached_count(south) == 3
    assert count_queries(lambda: cached_count(south), keep_cache=True) == 0  # kept: nothing was written
    UserFactory()  # a table the count does not read
    assert count_queries(lambda: cached_count(south), keep_cache=True) == 0

    CustomerFactory(region="south", owner=owner)  # save()
    assert cached_count(south) == 4
    Customer.objects.filter(pk=first.pk).update(region="west")  # update(), which sends no signal
    assert cached_count(south) == 3
    with connection.cursor() as cursor:  # raw SQL through Django
        cursor.execute("DELETE FROM customers_customer WHERE id = %s", [second.pk])
    assert cached_count(south) == 2
    assert cached_count(Customer.objects.filter(region="west")) == 1


@pytest.mark.django_db
def test_the_filters_and_the_user_are_part_of_the_key():
    owner, other = UserFactory(), UserFactory()
    CustomerFactory.create_batch(2, region="south", owner=owner)
    CustomerFactory(region="south", owner=other)
    assert cached_count(Customer.objects.filter(region="south", owner=owner)) == 2
    assert cached_count(Customer.objects.filter(region="south", owner=other)) == 1
    assert cached_count(Customer.objects.filter(region="north")) == 0
    assert cached_count(Customer.objects.none()) == 0


@pytest.mark.django_db(transaction=True)
def test_a_count_taken_before_a_commit_is_not_kept_after_it():
    owner = UserFactory()
    south = Customer.objects.filter(region="south")
    with transaction.atomic():
        CustomerFactory(region="south", owner=owner)
        # another request counts while this transaction is open: it cannot see the row and stores 0
        assert cached(south.order_by(), "count", lambda _queryset: 0) == 0
    assert cached_count(south) == 1  # the commit gave the table a new version


@pytest.mark.django_db
def test_no_cache_when_turned_off(settings, count_queries):
    settings.LIST_COUNT_CACHE_SECONDS = 0
    CustomerFactory(region="south")
    south = Customer.objects.filter(region="south")
    assert cached_count(south) == 1
    assert count_queries(lambda: cached_count(south), keep_cache=True) == 1


def test_tables_of_a_statement():
    sql = 'SELECT COUNT(*) FROM "projects_project" INNER JOIN "customers_customer" ON ("customer_id" = "id")'
    assert tables_of(sql) == ["customers_customer", "projects_project"]


@pytest.mark.django_db(transaction=True)
def test_a_flush_empties_the_counts():
    """``sicrm restore`` and the test fixtures flush: TRUNCATE on PostgreSQL, DELETE on SQLite."""
    from django.core.management import call_command

    CustomerFactory.create_batch(2, region="south")
    south = Customer.objects.filter(region="south")
    assert cached_count(south) == 2
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    assert cached_count(south) == 0


class _Unreachable:
    """A cache whose server is down: every call raises, as Django's Redis cache does then."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        return fail


@pytest.mark.django_db
def test_a_cache_that_cannot_be_reached_fails_neither_a_write_nor_a_list(monkeypatch, client, make_user):
    """Redis down: saves go through and lists count in the database, exactly."""
    monkeypatch.setattr("backend.core.counts.cache", _Unreachable())
    seller = make_user("seller", "bid_manager")
    CustomerFactory.create_batch(3, region="south", owner=seller)
    assert cached_count(Customer.objects.filter(region="south")) == 3
    client.force_login(seller)
    response = client.get("/customers/")
    assert response.status_code == 200 and response.context["page"].paginator.count == 3


@pytest.mark.django_db(transaction=True)
def test_an_old_answer_is_served_and_renewed_in_the_background(monkeypatch, settings, count_queries):
    """Past ``LIST_COUNT_CACHE_SECONDS`` the click still gets the kept answer at once, and a background thread
    counts afresh (on its own connection, so the rows must be committed: transaction=True). A write that
    bypassed Django is seen from then on."""
    from backend.core import background, counts

    settings.LIST_COUNT_CACHE_SECONDS = 300
    now = [1_000_000.0]
    monkeypatch.setattr(counts, "_clock", lambda: now[0])
    CustomerFactory.create_batch(2, region="south")
    south = Customer.objects.filter(region="south")
    assert cached_count(south) == 2

    # a write the wrapper cannot see (psql, the benchmark's COPY): the table keeps its version
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM customers_customer WHERE region = 'south' ORDER BY id LIMIT 1")
        (first,) = cursor.fetchone()
    raw = connection.connection.cursor()
    raw.execute(f"UPDATE customers_customer SET region = 'west' WHERE id = {int(first)}")
    raw.close()
    if not connection.get_autocommit():
        connection.connection.commit()

    now[0] += 299  # still young: kept, nothing runs
    assert count_queries(lambda: cached_count(south), keep_cache=True) == 0
    assert cached_count(south) == 2

    now[0] += 2  # old: the kept answer at once, with no query in the request, and a renewal behind it
    assert count_queries(lambda: cached_count(south), keep_cache=True) == 0
    background.settle()
    assert cached_count(south) == 1  # renewed by the background thread
    assert count_queries(lambda: cached_count(south), keep_cache=True) == 0

    now[0] += 300  # the renewed answer is young again: kept
    assert count_queries(lambda: cached_count(south), keep_cache=True) == 0
