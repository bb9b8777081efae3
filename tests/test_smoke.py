import pytest

pytestmark = pytest.mark.django_db


def test_unit_takes_its_municipality_geography(unit):
    municipality = unit.parent
    assert unit.municipality == municipality
    assert unit.county == municipality.county
    assert unit.size_class == "medium"
    assert municipality.municipality_id == municipality.pk
    assert municipality.county.county_id == municipality.county.pk
