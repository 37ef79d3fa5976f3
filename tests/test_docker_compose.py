"""The container setup: docker-compose.yml, the Dockerfile and .env.example agree.

These tests read the files only (no Docker daemon, no database). The last one runs Debian's
``docker-compose`` (v1) to validate the file when it is installed.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
SETTINGS_FILE = ROOT / "werkplaats" / "settings.py"

APP_SERVICES = ("web", "worker", "beat")
INSTALL_HINT = "install with: apt-get install -y --no-install-recommends docker-compose"

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}, $NAME
_VARIABLE = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?])?(?P<arg>[^}]*)\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


@cache
def _compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def _service(name: str) -> dict:
    return _compose()["services"][name]


def _environment(name: str) -> dict[str, str]:
    """A service's environment as a mapping, whether written as a mapping or a list."""
    environment = _service(name).get("environment") or {}
    if isinstance(environment, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in environment)
        environment = dict(pairs)
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Resolve compose variable references the way compose does, against ``env``."""

    def replace(match: re.Match) -> str:
        name = match.group("braced") or match.group("bare")
        op, arg = match.group("op"), match.group("arg") or ""
        present = env.get(name)
        is_set = present is not None and (present != "" or not (op or "").startswith(":"))
        if op in (":-", "-"):
            return present if is_set else arg
        if op in (":?", "?") and not is_set:
            raise LookupError(f"{name} is required: {arg}")
        return present or ""

    return _VARIABLE.sub(replace, value.replace("$$", "\0")).replace("\0", "$")


def _resolved_environment(name: str, **env: str) -> dict[str, str]:
    env.setdefault("SECRET_KEY", "test-secret-key")
    return {key: _interpolate(value, env) for key, value in _environment(name).items()}


def _command(name: str) -> str:
    command = _service(name).get("command") or ""
    return command if isinstance(command, str) else " ".join(str(part) for part in command)


def _referenced_variables(value: object) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_referenced_variables(v) for v in value.values()), set())
    if isinstance(value, list):
        return set().union(*(_referenced_variables(v) for v in value), set())
    if isinstance(value, str):
        return {m.group("braced") or m.group("bare") for m in _VARIABLE.finditer(value)}
    return set()


def _documented_variables() -> set[str]:
    """Names in .env.example, whether set (NAME=...) or shown commented out (# NAME=...)."""
    pattern = re.compile(r"^\s*(?:#\s*)?([A-Z][A-Z0-9_]*)=", re.MULTILINE)
    return set(pattern.findall(ENV_EXAMPLE.read_text(encoding="utf-8")))


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuations joined."""
    logical, current = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    if current:
        logical.append(current)
    instructions = []
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def _dockerfile_cmd() -> list[str]:
    commands = [args for keyword, args in _dockerfile_instructions() if keyword == "CMD"]
    assert commands, "the Dockerfile has no CMD"
    last = commands[-1]
    return json.loads(last) if last.startswith("[") else shlex.split(last)


# --- Services -------------------------------------------------------------------------------


def test_the_compose_file_defines_postgres_redis_web_worker_and_beat():
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(_compose()["services"])


def test_the_compose_file_has_no_obsolete_version_key():
    assert "version" not in _compose()


def test_web_worker_and_beat_build_from_the_dockerfile_in_the_repository():
    for name in APP_SERVICES:
        build = _service(name).get("build")
        assert build is not None, f"{name} has no build section"
        if isinstance(build, str):
            build = {"context": build}
        context = (COMPOSE_FILE.parent / build.get("context", ".")).resolve()
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        assert context == ROOT, f"{name} builds from {context}, not the repository"
        assert dockerfile == DOCKERFILE, f"{name} builds from {dockerfile}"
        assert dockerfile.is_file()


def test_web_runs_migrations_before_starting_gunicorn():
    command = _command("web")
    assert "manage.py migrate" in command
    assert "--noinput" in command
    assert "gunicorn" in command
    assert "werkplaats.wsgi" in command
    migrate, gunicorn = command.index("manage.py migrate"), command.index("gunicorn")
    assert migrate < gunicorn
    # gunicorn starts only when the migrations succeeded.
    assert "&&" in command[migrate:gunicorn]


def test_web_publishes_port_8000_and_probes_healthz():
    web = _service("web")
    assert any(str(port).endswith("8000:8000") for port in web.get("ports", []))
    test = web["healthcheck"]["test"]
    probe = test if isinstance(test, str) else " ".join(test)
    assert "/healthz" in probe
    assert "urllib" in probe, "the slim image has no curl; probe with python's urllib"


def test_worker_runs_the_celery_worker_for_the_werkplaats_app():
    assert re.search(r"\bcelery -A werkplaats worker\b", _command("worker"))


def test_beat_runs_celery_beat_for_the_werkplaats_app():
    assert re.search(r"\bcelery -A werkplaats beat\b", _command("beat"))


def test_beat_keeps_its_schedule_file_on_a_volume_or_in_tmp():
    schedule = _resolved_environment("beat")["CELERY_BEAT_SCHEDULE_FILENAME"]
    mounts = [
        volume["target"] if isinstance(volume, dict) else str(volume).split(":")[1]
        for volume in _service("beat").get("volumes", [])
    ]
    assert schedule.startswith("/tmp/") or any(
        schedule.startswith(mount.rstrip("/") + "/") for mount in mounts
    ), f"{schedule} is on neither a volume nor /tmp"


# --- Environment ----------------------------------------------------------------------------


def test_every_app_service_points_database_url_at_the_postgres_service():
    postgres = _service("postgres")["environment"]
    for name in APP_SERVICES:
        url = urlsplit(_resolved_environment(name)["DATABASE_URL"])
        assert url.scheme in ("postgres", "postgresql"), name
        assert url.hostname == "postgres", name
        assert (url.port or 5432) == 5432, name
        assert url.path.lstrip("/") == postgres["POSTGRES_DB"], name
        assert url.username == postgres["POSTGRES_USER"], name


def test_the_database_password_matches_the_postgres_service():
    password = _interpolate(str(_service("postgres")["environment"]["POSTGRES_PASSWORD"]), {})
    chosen = _interpolate(
        str(_service("postgres")["environment"]["POSTGRES_PASSWORD"]),
        {"POSTGRES_PASSWORD": "chosen-password"},
    )
    for name in APP_SERVICES:
        assert urlsplit(_resolved_environment(name)["DATABASE_URL"]).password == password
        url = _resolved_environment(name, POSTGRES_PASSWORD="chosen-password")["DATABASE_URL"]
        assert urlsplit(url).password == chosen


def test_every_app_service_points_redis_and_the_celery_broker_at_the_redis_service():
    for name in APP_SERVICES:
        environment = _resolved_environment(name)
        for variable in ("REDIS_URL", "CELERY_BROKER_URL"):
            url = urlsplit(environment[variable])
            assert url.scheme == "redis", f"{name}: {variable}"
            assert url.hostname == "redis", f"{name}: {variable}"


def test_every_app_service_runs_with_debug_off():
    for name in APP_SERVICES:
        assert _resolved_environment(name)["DEBUG"].lower() == "false", name
        assert _resolved_environment(name, DEBUG="true")["DEBUG"].lower() == "false", name


def test_every_app_service_requires_a_secret_key_instead_of_a_literal():
    for name in APP_SERVICES:
        raw = _environment(name)["SECRET_KEY"]
        assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]*\}", raw), f"{name}: {raw!r}"
        with pytest.raises(LookupError):
            _interpolate(raw, {})
        with pytest.raises(LookupError):
            _interpolate(raw, {"SECRET_KEY": ""})
        assert _interpolate(raw, {"SECRET_KEY": "from-the-shell"}) == "from-the-shell"


def test_the_app_services_share_one_environment():
    environments = [_environment(name) for name in APP_SERVICES]
    shared = set.intersection(*(set(environment) for environment in environments))
    for key in shared:
        assert len({environment[key] for environment in environments}) == 1, key


def test_app_services_wait_for_healthy_postgres_and_redis():
    for name in APP_SERVICES:
        depends_on = _service(name).get("depends_on")
        assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions"
        for dependency in ("postgres", "redis"):
            assert depends_on[dependency]["condition"] == "service_healthy", name


def test_postgres_and_redis_have_healthchecks():
    postgres = _service("postgres")["healthcheck"]["test"]
    redis = _service("redis")["healthcheck"]["test"]
    assert "pg_isready" in (postgres if isinstance(postgres, str) else " ".join(postgres))
    assert "redis-cli ping" in (redis if isinstance(redis, str) else " ".join(redis))


def test_every_compose_variable_is_documented_in_env_example():
    documented = _documented_variables()
    keys = set().union(*(_environment(name) for name in APP_SERVICES))
    referenced = _referenced_variables(_compose())
    missing = sorted((keys | referenced) - documented)
    assert not missing, f"not in .env.example: {', '.join(missing)}"


def test_every_variable_the_settings_read_is_documented_in_env_example():
    source = SETTINGS_FILE.read_text(encoding="utf-8")
    calls = re.findall(r"\benv_(\w+)\(\s*\"([A-Z][A-Z0-9_]*)\"", source)
    read = {name for _, name in calls}
    read |= {f"{name}_FILE" for helper, name in calls if helper == "secret"}
    assert read, "found no env_*() calls in settings.py"
    missing = sorted(read - _documented_variables())
    assert not missing, f"not in .env.example: {', '.join(missing)}"


# --- Dockerfile -----------------------------------------------------------------------------


def test_the_dockerfile_cmd_runs_gunicorn_with_the_werkplaats_wsgi_application():
    command = _dockerfile_cmd()
    assert Path(command[0]).name == "gunicorn"
    assert "werkplaats.wsgi:application" in command
    assert "0.0.0.0:8000" in " ".join(command)


def test_the_dockerfile_installs_dependencies_with_constraints_txt():
    instructions = _dockerfile_instructions()
    runs = [args for keyword, args in instructions if keyword == "RUN"]
    copies = [args for keyword, args in instructions if keyword in ("COPY", "ADD")]
    assert any(
        re.search(r"pip install\b.*(-c|--constraint)\s+\S*constraints\.txt", r) for r in runs
    )
    assert any("constraints.txt" in args or args.split()[0] == "." for args in copies)
    assert not any("[dev]" in args for args in runs), "the image must not install dev extras"


def test_the_dockerfile_builds_on_python_311_slim_and_runs_as_a_non_root_user():
    instructions = _dockerfile_instructions()
    assert [args for keyword, args in instructions if keyword == "FROM"][-1].startswith(
        "python:3.11-slim"
    )
    users = [args for keyword, args in instructions if keyword == "USER"]
    assert users, "the image runs as root"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_the_dockerfile_collects_static_files_with_a_build_only_secret_key():
    instructions = _dockerfile_instructions()
    collect = [
        args for keyword, args in instructions if keyword == "RUN" and "collectstatic" in args
    ]
    assert collect, "no RUN step runs collectstatic"
    assert "--noinput" in collect[0]
    assert "SECRET_KEY=" in collect[0] and "DEBUG=false" in collect[0]
    # The dummy key lives only in that RUN step, never in an ENV or ARG baked into the image.
    for keyword, args in instructions:
        if keyword in ("ENV", "ARG"):
            assert "SECRET_KEY" not in args


# --- docker-compose itself ------------------------------------------------------------------


def test_docker_compose_accepts_the_file():
    binary = shutil.which("docker-compose")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"docker-compose is not on PATH; {INSTALL_HINT}")
        pytest.skip(INSTALL_HINT)
    env = {**os.environ, "SECRET_KEY": "docker-compose-config-test-key"}
    result = subprocess.run(
        [binary, "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr or result.stdout
