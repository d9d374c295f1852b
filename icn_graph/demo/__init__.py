"""A reproducible demo network (centers, care teams, partners, staff) for local use and tests."""

from icn_graph.demo.context import SMALL_VISIT_SCALE
from icn_graph.demo.loader import DemoSummary, is_empty, load_demo
from icn_graph.demo.personas import DEMO_PERSONAS

__all__ = ["DEMO_PERSONAS", "SMALL_VISIT_SCALE", "DemoSummary", "is_empty", "load_demo"]
