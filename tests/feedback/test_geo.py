"""Point-in-area with Shapely, property-based: the lookup agrees with plain geometry; every process sees an edit."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicworks.accounts.models import Role
from feedback import geo, services
from feedback.geo import contains, locate
from projects.demo import DISTRICTS, rectangle
from tests import factories

from .conftest import INSIDE_WANGJIANG

lat = st.floats(min_value=30.55, max_value=30.75, allow_nan=False)
lng = st.floats(min_value=103.93, max_value=104.19, allow_nan=False)


@given(
    south=st.floats(-80, 79), west=st.floats(-170, 169), height=st.floats(0.001, 1), width=st.floats(0.001, 1),
    u=st.floats(0, 1), v=st.floats(0, 1),
)  # fmt: skip
def test_a_point_inside_a_rectangle_is_contained(south, west, height, width, u, v):
    box = rectangle(south, west, south + height, west + width)
    # Points strictly inside (away from rounding at the edge) are in; points beyond the box are out.
    inner_lat = south + height * (0.01 + 0.98 * u)
    inner_lng = west + width * (0.01 + 0.98 * v)
    assert contains(box, inner_lat, inner_lng)
    assert not contains(box, south + height + 0.01, inner_lng)
    assert not contains(box, inner_lat, west - 0.01)


def test_broken_or_missing_boundaries_contain_nothing():
    assert not contains({}, 30.69, 103.99)
    assert not contains({"type": "Polygon", "coordinates": [[[0, 0], [1]]]}, 0.5, 0.5)
    assert not contains({"type": "Point", "coordinates": [103.99, 30.69]}, 30.69, 103.99)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(latitude=lat, longitude=lng)
def test_locate_agrees_with_the_district_rectangles(grid, latitude, longitude):
    where = locate(latitude, longitude)
    expected = [code for code, _, s, w, n, e in DISTRICTS if s <= latitude <= n and w <= longitude <= e]
    if expected:
        assert where.district is not None and where.district.code in expected
        assert where.community is not None and where.community.district == where.district
    else:
        assert where.district is None and where.community is None
    # The grid is found exactly when its area covers the point inside the district found.
    assert (where.grid_area == grid) == (
        contains(grid.boundary, latitude, longitude) and where.district == grid.district
    )


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(latitude=lat, longitude=lng)
def test_routing_rule_applies_exactly_inside_its_district(categories, latitude, longitude):
    from feedback.models import Report, RoutingRule
    from projects.models import Department, District

    road = categories["road"]
    linjiang = District.objects.get(code="linjiang")
    unit = Department.objects.get(name="临江区住房和建设局")
    RoutingRule.objects.get_or_create(category=road, district=linjiang, defaults={"department": unit})
    in_city = any(s <= latitude <= n and w <= longitude <= e for _code, _name, s, w, n, e in DISTRICTS)
    if not in_city:  # outside every district: refused, nothing to route (tests/feedback/test_city_bounds.py)
        with pytest.raises(ValidationError):
            services.report_submit(category=road, text="坑", latitude=latitude, longitude=longitude)
        assert not Report.objects.exists()
        return
    report = services.report_submit(category=road, text="坑", latitude=latitude, longitude=longitude)
    route = services.report_route(report=report)
    in_linjiang = report.district_id == linjiang.pk
    assert (route.department == unit) == in_linjiang
    if not in_linjiang:
        assert route.department == road.department
    Report.objects.filter(pk=report.pk).delete()


@pytest.mark.parametrize(("latitude", "longitude"), [(None, None), (31.5, 105.0)])
def test_outside_the_city_nothing_is_found(city, latitude, longitude):
    where = locate(latitude, longitude)
    assert where.district is None and where.grid_area is None


def another_process_kept(atlas: geo.Atlas) -> None:
    """As in another web process (or node): the save's signal cleared only the saving process's copy."""
    geo._atlas[:] = [atlas]


def test_a_grid_handed_to_another_worker_is_seen_by_every_process_at_once(grid, lead_department):
    where = locate(*INSIDE_WANGJIANG)
    assert where.grid_area == grid and where.grid_area.grid_worker == grid.grid_worker
    kept = geo.atlas()
    successor = factories.user(role=Role.GRID_WORKER, department=lead_department)
    grid.grid_worker = successor
    grid.save()
    another_process_kept(kept)
    assert locate(*INSIDE_WANGJIANG).grid_area.grid_worker == successor


def test_a_redrawn_boundary_is_seen_by_every_process_at_once(grid):
    assert locate(*INSIDE_WANGJIANG).grid_area == grid
    kept = geo.atlas()
    grid.boundary = rectangle(31.0, 105.0, 31.1, 105.1)  # moved away from the point
    grid.save()
    another_process_kept(kept)
    assert locate(*INSIDE_WANGJIANG).grid_area is None


def test_a_deleted_grid_worker_is_never_given_a_report(grid, road):
    """Deleting the account empties the grid by an UPDATE that sends no signal (on_delete=SET_NULL)."""
    assert locate(*INSIDE_WANGJIANG).grid_area.grid_worker == grid.grid_worker
    grid.grid_worker.delete()
    assert locate(*INSIDE_WANGJIANG).grid_area.grid_worker is None
    report = services.report_submit(
        category=road, text="坑", latitude=INSIDE_WANGJIANG[0], longitude=INSIDE_WANGJIANG[1]
    )
    assert report.grid_worker is None
