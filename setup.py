"""The one packaging rule pyproject.toml cannot state: core's Alembic folder lives at the top of
the checkout (``alembic/``, the standard layout ``alembic.ini`` points at) and ships inside the
package as ``icn_graph/alembic``, so an installed server runs ``icn-graph db upgrade`` without a
checkout. Everything else is in pyproject.toml."""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["icn_graph", "icn_graph.*"]),
        "icn_graph.alembic",
        "icn_graph.alembic.versions",
    ],
    package_dir={"icn_graph.alembic": "alembic"},
)
