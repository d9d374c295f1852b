"""The deployment files say what docs/operations.md ("Deployment") says they do: the Dockerfile
runs as a non-root user with a health check and no secret in it, the systemd units run commands
that exist, the example environment names real settings and every secret, the constraints pin
every package an install pulls in, and ``make run`` checks the port before anything else.

No image is built here (the test machine has no container engine): the files are read."""

from __future__ import annotations

import configparser
import json
import re
import shlex
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from pydantic import SecretStr

from icn_graph.cli import main
from icn_graph.config import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
UNITS = ROOT / "deploy" / "systemd"
ENV_EXAMPLE = UNITS / "icn-graph.env.example"
OPERATIONS = ROOT / "docs" / "operations.md"
SECRET_WORDS = re.compile(r"SECRET|PASSWORD|TOKEN|KEY", re.IGNORECASE)


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    joined: list[str] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    assert not pending, "a continued line never ends"
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in joined]


def final_stage() -> list[tuple[str, str]]:
    found = instructions(DOCKERFILE)
    last = max(index for index, (name, _) in enumerate(found) if name == "FROM")
    return found[last:]


def exec_form(arguments: str) -> list[str]:
    """The words of an exec-form instruction (``["icn-graph", "serve"]``)."""
    return [str(word) for word in json.loads(arguments)]


def command_exists(words: list[str]) -> None:
    """``icn-graph <group> <command>`` names a command of the CLI (and the console script)."""
    assert Path(words[0]).name == "icn-graph", words
    scripts = distribution("icn-graph").entry_points.select(group="console_scripts")
    assert {entry.name for entry in scripts} >= {"icn-graph"}
    command: object = main
    for word in words[1:]:
        if word.startswith("-"):
            break
        commands = getattr(command, "commands", {})
        assert word in commands, f"`{' '.join(words)}`: no command {word!r}"
        command = commands[word]


def test_the_image_runs_as_a_user_that_is_not_root() -> None:
    users = [arguments.split(":")[0] for name, arguments in final_stage() if name == "USER"]
    assert users, "the final stage never leaves root"
    assert users[-1] not in ("root", "0")
    assert [name for name, _ in final_stage()].index("USER") < [
        name for name, _ in final_stage()
    ].index("CMD")


def test_the_image_checks_its_health_and_serves() -> None:
    stage = dict(final_stage())
    assert "/healthz" in stage["HEALTHCHECK"] or "/readyz" in stage["HEALTHCHECK"]
    assert stage["HEALTHCHECK"].split("CMD", 1)[0].strip()  # with an interval and a timeout
    command = exec_form(stage["CMD"])
    assert command == ["icn-graph", "serve"]
    command_exists(command)
    assert stage["STOPSIGNAL"] == "SIGTERM"


def test_the_image_holds_no_secret() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    for name, arguments in instructions(DOCKERFILE):
        if name in ("ENV", "ARG"):
            assigned = re.findall(r"(\w+)=", arguments) or [arguments.split()[0]]
            assert not [var for var in assigned if SECRET_WORDS.search(var)], arguments
    for secret in ("ICN_SECRET_KEY", "ICN_PATIENT_KEY_SECRET", "ICN_SMTP_PASSWORD"):
        assert secret not in text
    assert "ICN_DATABASE_URL" not in text  # it carries the password
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", "var", ".venv*", "*.db"} <= set(ignored)


def test_the_image_installs_pinned_from_files_that_exist() -> None:
    runs = [arguments for name, arguments in instructions(DOCKERFILE) if name == "RUN"]
    assert any("pip install" in run and "-c constraints.txt" in run for run in runs)
    for name, arguments in instructions(DOCKERFILE):
        if name == "COPY" and not arguments.startswith("--from"):
            *sources, _target = shlex.split(arguments)
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: not in the checkout"


@pytest.mark.parametrize(
    ("unit", "command"),
    [("icn-graph.service", ["serve"]), ("icn-graph-worker.service", ["worker"])],
)
def test_the_systemd_units_run_commands_that_exist(unit: str, command: list[str]) -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNITS / unit, encoding="utf-8")
    service = parser["Service"]
    words = shlex.split(service["ExecStart"])
    assert words[1:] == command
    command_exists(words)
    assert service["User"] not in ("root", "0")
    assert service["EnvironmentFile"] == "/etc/icn-graph/icn-graph.env"
    assert service["KillSignal"] == "SIGTERM"
    grace = Settings(_env_file=None).shutdown_grace_seconds  # type: ignore[call-arg]
    assert float(service["TimeoutStopSec"]) > grace
    assert parser["Install"]["WantedBy"] == "multi-user.target"
    assert f"deploy/systemd/{unit}" in OPERATIONS.read_text(encoding="utf-8")


def deployment_section() -> str:
    text = OPERATIONS.read_text(encoding="utf-8")
    start = text.index("## Deployment")
    return text[start : text.index("\n## ", start + 1)]


def secret_settings() -> list[str]:
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    return [
        f"ICN_{name.upper()}"
        for name in Settings.model_fields
        if isinstance(getattr(defaults, name), SecretStr)
    ]


def test_the_recipe_and_the_example_environment_name_every_secret() -> None:
    secrets = secret_settings()
    assert {"ICN_DATABASE_URL", "ICN_SECRET_KEY", "ICN_PATIENT_KEY_SECRET"} <= set(secrets)
    section = deployment_section()
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    for name in [*secrets, "ICN_PUBLIC_URL"]:
        assert f"`{name}`" in section, f"docs/operations.md, Deployment: no {name}"
        assert re.search(rf"^{name}=", example, re.MULTILINE), f"the example has no {name}"
    for step in ("icn-graph db upgrade", "pg_dump", ".backup", "Dockerfile", "constraints.txt"):
        assert step in section


def test_the_example_environment_names_only_real_settings() -> None:
    known = {f"ICN_{name.upper()}" for name in Settings.model_fields}
    assigned = re.findall(r"^(ICN_\w+)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.MULTILINE)
    assert assigned
    assert set(assigned) <= known, set(assigned) - known
    # Secrets are left for the operator to fill in (the database password aside: a placeholder).
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition("=")
        if name in ("ICN_SECRET_KEY", "ICN_PATIENT_KEY_SECRET", "ICN_SMTP_PASSWORD"):
            assert value == ""


def pinned() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pins = [line for line in lines if line and not line.startswith("#")]
    for line in pins:
        assert re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+!-]+", line), f"not a pin: {line}"
    return {canonicalize_name(line.split("==")[0]): line.split("==")[1] for line in pins}


def requirements_of(name: str, extras: set[str], seen: set[str]) -> None:
    """Every distribution ``name`` pulls in (with ``extras``), as an install resolves them."""
    try:
        found = distribution(name)
    except PackageNotFoundError:
        return
    for text in found.requires or []:
        requirement = Requirement(text)
        wanted = requirement.marker is None or any(
            requirement.marker.evaluate({"extra": extra}) for extra in extras | {""}
        )
        key = canonicalize_name(requirement.name)
        if wanted and key not in seen:
            seen.add(key)
            requirements_of(requirement.name, set(requirement.extras), seen)


def test_the_constraints_pin_everything_an_install_pulls_in() -> None:
    pins = pinned()
    ours = {
        canonicalize_name(name) for name in ("icn-graph", "icn-kudos", "icn-codesign", "icn-panels")
    }
    assert not ours & set(pins), "the project's own packages are installed editable, not pinned"
    needed: set[str] = set()
    requirements_of("icn-graph", {"dev"}, needed)
    requirements_of("icn-kudos", set(), needed)
    requirements_of("icn-codesign", set(), needed)
    requirements_of("icn-panels", set(), needed)
    assert {"sqlalchemy", "greenlet", "asyncpg", "uvicorn", "pytest", "mypy"} <= needed
    missing = sorted(needed - set(pins) - ours)
    assert not missing, f"constraints.txt does not pin {missing}: run `make constraints`"


def test_make_installs_pinned_and_run_checks_the_port_first() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipes = re.findall(r"^\t(.*)$", makefile, re.MULTILINE)
    # Every install of the project into its venv is pinned; `make constraints` resolves afresh.
    project = [
        line
        for line in recipes
        if ("-e ." in line or "'.[dev]'" in line) and "-constraints/bin" not in line
    ]
    assert len(project) == 2, project  # install, install-dev
    assert all(line.startswith("$(PIP_INSTALL) ") for line in project), project
    assert re.search(r"^PIP_INSTALL = .* -c \$\(CONSTRAINTS\)$", makefile, re.MULTILINE)
    run = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert run is not None
    steps = run.group(1).splitlines()
    assert "check-port" in steps[0]
    command_exists(["icn-graph", "check-port"])
    assert any("db upgrade" in step for step in steps[1:])
