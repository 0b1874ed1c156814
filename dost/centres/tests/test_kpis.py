"""KPIs on a fixed test day, against figures counted by hand.

The day (Wednesday 4 March 2026, Baku time); group A has 10 standard minutes, B 20:

    ticket  issued  called  by          start   end     wait  service  within  rating
    A-001   09:00   09:02   c1 / op1    09:02   09:10   120   480      yes     5 5 5
    A-002   09:01   09:04   c2 / op2    09:05   09:20   180   900      no      4 3 5  (open)
    B-001   09:03   09:06   c3 / op2    no-show         180
    B-002   09:12   09:13   c3 / op2    09:13   09:30    60   1020     yes     2 2 2  (resolved)
    A-003*  09:50   09:55   c1 / op1    09:55   10:00   300   300      yes
    A-004   10:05   (still waiting)
    * priority lane (elderly)

Percentile: nearest rank, p90 of n values is the value at rank ⌈0.9 n⌉ of the sorted values.
Centre: waits 60 120 180 180 300 → mean 840/5 = 168, rank ⌈4.5⌉ = 5 → 300;
        services 300 480 900 1020 → mean 2700/4 = 675, rank ⌈3.6⌉ = 4 → 1020;
        within standard 3 of 4 = 75 %; satisfied 1 of 3 ratings = 33.3 %; 1 escalation open.
Group A: waits 120 180 300 → mean 200, rank ⌈2.7⌉ = 3 → 300; services 300 480 900 → mean 560,
        p90 900; within 2 of 3; ratings 2, satisfied 1 → 50 %.
Group B: waits 60 180 → mean 120, rank ⌈1.8⌉ = 2 → 180; service 1020; within 1 of 1; 1 no-show;
        1 rating, not satisfied → 0 %; its escalation is resolved → 0 open.
Operator 2: waits 60 180 180 → mean 140, p90 180; services 900 1020 → mean 960; within 1 of 2.
"""

from __future__ import annotations

import time_machine
from django.test import Client
from django.urls import reverse

from dost.centres import services
from dost.centres.kpis import centre_kpis, percentile
from dost.centres.models import Escalation, Ticket

from .conftest import DAY, World, at


def run_the_day(world: World) -> None:
    def step(h: int, m: int) -> time_machine.travel:
        return time_machine.travel(at(h, m), tick=False)

    def call(counter, operator) -> Ticket:
        ticket = services.ticket_call_next(counter=counter, operator=operator)
        assert ticket is not None
        return ticket

    with step(9, 0):
        a1 = services.ticket_issue(service_group=world.group_a, source="kiosk")
    with step(9, 1):
        services.ticket_issue(service_group=world.group_a, source="kiosk")
    with step(9, 2):
        a1 = services.ticket_start_service(ticket=call(world.counter1, world.operator1))
    with step(9, 3):
        services.ticket_issue(service_group=world.group_b, source="kiosk")
    with step(9, 4):
        a2 = call(world.counter2, world.operator2)
    with step(9, 5):
        a2 = services.ticket_start_service(ticket=a2)
    with step(9, 6):
        b1 = call(world.counter3, world.operator2)
    with step(9, 8):
        services.ticket_no_show(ticket=b1)
    with step(9, 10):
        a1 = services.ticket_end_service(ticket=a1)
        services.rating_submit(ticket=a1, quality=5, timeliness=5, courtesy=5)
    with step(9, 12):
        services.ticket_issue(service_group=world.group_b, source="portal")
    with step(9, 13):
        b2 = services.ticket_start_service(ticket=call(world.counter3, world.operator2))
    with step(9, 20):
        a2 = services.ticket_end_service(ticket=a2)
        services.rating_submit(ticket=a2, quality=4, timeliness=3, courtesy=5)
    with step(9, 30):
        b2 = services.ticket_end_service(ticket=b2)
        rating = services.rating_submit(ticket=b2, quality=2, timeliness=2, courtesy=2)
        services.escalation_resolve(escalation=Escalation.objects.get(rating=rating),
                                    user=world.supervisor, resolution="Apologised")
    with step(9, 50):
        services.ticket_issue(service_group=world.group_a, source="kiosk",
                              priority_reason="elderly")
    with step(9, 55):
        a3 = services.ticket_start_service(ticket=call(world.counter1, world.operator1))
    with step(10, 0):
        services.ticket_end_service(ticket=a3)
    with step(10, 5):
        services.ticket_issue(service_group=world.group_a, source="kiosk")


def figures(row) -> tuple:
    return (
        row.visitors, row.wait_avg, row.wait_p90, row.service_avg, row.service_p90,
        row.within_standard_pct, row.no_shows, row.satisfaction_pct, row.escalations_open,
    )


def test_it_takes_the_nearest_rank_percentile() -> None:
    assert percentile([], 90) is None
    assert percentile([300, 60, 180, 120, 180], 90) == 300
    assert percentile(list(range(1, 21)), 90) == 18  # rank ⌈18⌉ = 18
    assert percentile([7.0], 90) == 7.0


def test_it_matches_the_hand_counted_day(world: World) -> None:
    run_the_day(world)
    [centre] = centre_kpis(centre=world.centre, start=DAY, end=DAY)
    assert figures(centre) == (6, 168, 300, 675, 1020, 75, 1, 100 / 3, 1)
    a, b = centre_kpis(centre=world.centre, start=DAY, end=DAY, breakdown="service_group")
    assert figures(a) == (4, 200, 300, 560, 900, 200 / 3, 0, 50, 1)
    assert figures(b) == (2, 120, 180, 1020, 1020, 100, 1, 0, 0)
    rows = {r.label: r for r in centre_kpis(centre=world.centre, start=DAY, end=DAY,
                                            breakdown="operator")}
    assert figures(rows["operator2"]) == (3, 140, 180, 960, 1020, 50, 1, 0, 1)
    assert figures(rows["operator1"])[:6] == (2, 210, 300, 390, 480, 100)
    assert rows["Not called"].visitors == 1
    [day] = centre_kpis(centre=world.centre, start=DAY, end=DAY, breakdown="day")
    assert figures(day) == figures(centre)
    counters = centre_kpis(centre=world.centre, start=DAY, end=DAY, breakdown="counter")
    assert [r.visitors for r in counters] == [2, 1, 2, 1]


def test_it_shows_the_dashboard_to_a_supervisor_only(world: World, client: Client) -> None:
    run_the_day(world)
    url = reverse("centres:kpis", args=[world.centre.code])
    query = {"start": DAY.isoformat(), "end": DAY.isoformat(), "by": "service_group"}
    client.force_login(world.operator1)
    assert client.get(url, query).status_code == 403
    client.force_login(world.supervisor)
    response = client.get(url, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "<table" in html
    # The centre card (168 s) and group A row (200 s) from the hand-counted day.
    assert "Pensions" in html and "2:48" in html and "3:20" in html


def test_it_measures_a_named_service_against_its_own_passport(world: World) -> None:
    from dost.catalog.models import Service

    quick = Service.objects.create(
        code="04-02-02-01", country="az", category=world.service_b.category,
        names=world.service_b.names, front_office_minutes=5, total_minutes=5,
    )
    world.group_b.services.add(quick)
    for service in (quick, None):  # the group's standard is max(20, 5) = 20 minutes
        with time_machine.travel(at(9), tick=False):
            services.ticket_issue(service_group=world.group_b, source="kiosk", service=service)
            ticket = services.ticket_call_next(counter=world.counter3, operator=world.operator2)
            assert ticket is not None
            services.ticket_start_service(ticket=ticket)
        with time_machine.travel(at(9, 10), tick=False):
            services.ticket_end_service(ticket=ticket)
    [row] = centre_kpis(centre=world.centre, start=DAY, end=DAY)
    # 10 minutes: over the named service's 5, within the group's 20 → 1 of 2.
    assert (row.served, row.within_standard_pct) == (2, 50)
