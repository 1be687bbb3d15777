"""The systemd unit runs one prepbot process with little of the host writable.

deploy/prepbot.service: one prepbot process under systemd, with a state folder of its own and nothing else of
the host writable."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess

from bot.config import Settings
from tests.deploy import SYSTEMD_UNIT


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=True, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string(SYSTEMD_UNIT.read_text(encoding="utf-8"))
    return parser


SERVICE = unit()["Service"]


def yes(value: str) -> bool:
    return value.strip().lower() in {"yes", "true", "1", "on"}


def test_the_state_folder_is_made_by_systemd_and_is_where_the_default_database_lives() -> None:
    folder = f"/var/lib/{SERVICE['StateDirectory']}"
    assert SERVICE["StateDirectory"] == "prepbot"
    assert SERVICE["WorkingDirectory"] == folder
    relative = Settings().database_url.partition(":///")[2]
    assert not relative.startswith("/"), "the default SQLite file is in the working folder, the state folder"
    assert SERVICE.get("StateDirectoryMode", "0755") == "0700"
    assert SERVICE["UMask"] == "0077", "files prepbot makes are its own"


def test_the_process_runs_unprivileged_and_can_write_only_its_state_folder() -> None:
    assert SERVICE["User"] and SERVICE["User"] != "root"
    assert yes(SERVICE["NoNewPrivileges"])
    assert SERVICE["ProtectSystem"] == "strict"
    assert "/var/lib/prepbot" in SERVICE["ReadWritePaths"].split()
    for setting in ("PrivateTmp", "ProtectHome", "PrivateDevices", "ProtectKernelTunables", "ProtectKernelModules",
                    "ProtectControlGroups", "RestrictSUIDSGID", "LockPersonality"):
        assert yes(SERVICE[setting]), setting
    assert SERVICE["CapabilityBoundingSet"] == "", "no capabilities at all"
    assert set(SERVICE["RestrictAddressFamilies"].split()) == {"AF_INET", "AF_INET6", "AF_UNIX"}
    if shutil.which("systemd-analyze"):  # where systemd is at hand, it must know every one of these settings
        checked = subprocess.run(["systemd-analyze", "verify", "--man=no", str(SYSTEMD_UNIT)], capture_output=True,
                                 text=True, timeout=30)
        assert [line for line in checked.stderr.splitlines() if "Unknown" in line or "Failed to parse" in line] == []
