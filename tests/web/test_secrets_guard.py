"""The development secrets anyone can read in the source never serve beyond this machine."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from icn_graph.cli import main
from icn_graph.config import Settings
from icn_graph.errors import StartupError
from icn_graph.secrets_guard import check_secrets

STRONG = {"secret_key": "x" * 48, "patient_key_secret": "y" * 48}


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type,call-arg]


def test_defaults_on_this_machine_only_warn() -> None:
    warning = check_secrets(settings(), bind_host="127.0.0.1")
    assert warning == (
        "ICN_SECRET_KEY and ICN_PATIENT_KEY_SECRET have the development default: "
        "fine on this machine, never in production"
    )


@pytest.mark.parametrize(
    ("bind_host", "public_url"),
    [
        ("0.0.0.0", "http://127.0.0.1:8000"),  # noqa: S104 (reachable from elsewhere)
        ("127.0.0.1", "https://icn.example.org"),  # behind a proxy: mail links go out
        (None, "https://icn.example.org"),  # the worker: only its mail links count
    ],
)
def test_defaults_beyond_this_machine_stop_start_up(bind_host: str | None, public_url: str) -> None:
    with pytest.raises(StartupError, match="ICN_SECRET_KEY and ICN_PATIENT_KEY_SECRET still have"):
        check_secrets(settings(public_url=public_url), bind_host=bind_host)


def test_real_secrets_pass_anywhere() -> None:
    chosen = settings(public_url="https://icn.example.org", **STRONG)
    assert check_secrets(chosen, bind_host="0.0.0.0") is None  # noqa: S104


def test_serve_refuses_before_binding() -> None:
    result = CliRunner().invoke(
        main,
        ["serve", "--host", "0.0.0.0"],  # noqa: S104
        env={
            "ICN_PLUGINS": "core",
            "ICN_LOG_LEVEL": "ERROR",
            "ICN_SECRET_KEY": "",
            "ICN_DEMO": "false",
        },
    )
    assert result.exit_code == 1
    assert "ICN_SECRET_KEY and ICN_PATIENT_KEY_SECRET still have" in result.output
