import pytest
import yaml
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_openapi_schema_documents_open_data_endpoints(client):
    schema = yaml.safe_load(client.get(reverse("schema")).content)

    oc4ids = schema["paths"]["/api/v1/oc4ids/"]["get"]
    assert "OC4IDS" in oc4ids["description"]
    assert oc4ids["responses"]["200"]["content"]["application/json"]["examples"]
    export = schema["paths"]["/api/v1/exports/{dataset}.{fmt}"]["get"]
    assert "formula" in export["description"]
    names = {parameter["name"] for parameter in export["parameters"]}
    assert {"dataset", "fmt", "year", "stage", "district", "category", "status"} <= names
    dataset = next(p for p in export["parameters"] if p["name"] == "dataset")
    assert set(dataset["schema"]["enum"]) == {"projects", "milestones", "expenditures", "reports", "scorecards"}
