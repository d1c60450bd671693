"""JSON Schema of ``indicators.yaml``, committed as ``indicators.schema.json`` for editors."""

from __future__ import annotations

import json

from lawgov_metrics.catalogue.models import Catalogue


def catalogue_schema_text() -> str:
    schema = Catalogue.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "lawgov-metrics 指标目录 (indicators.yaml)"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
