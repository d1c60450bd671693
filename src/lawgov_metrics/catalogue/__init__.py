"""The plan's promises as a validated catalogue (``indicators.yaml``)."""

from lawgov_metrics.catalogue.errors import CatalogueError, CatalogueProblem
from lawgov_metrics.catalogue.loader import bundled_path, load_catalogue
from lawgov_metrics.catalogue.models import INDICATOR_KINDS, Catalogue, FieldDef, Indicator, Ledger

__all__ = [
    "INDICATOR_KINDS",
    "Catalogue",
    "CatalogueError",
    "CatalogueProblem",
    "FieldDef",
    "Indicator",
    "Ledger",
    "bundled_path",
    "load_catalogue",
]
