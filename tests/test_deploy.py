"""Production deployment, checked without a Docker engine: docker-compose.yml's structure,
the Dockerfile's key lines, production settings loading from compose's environment, and
`manage.py check --deploy`. (tests/test_processes.py starts the same processes for real.)"""

import os
import re
import secrets
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.plugins.processes import BASE_DIR, PYTHON

COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (BASE_DIR / "Dockerfile").read_text()
APP_SERVICES = ["web", "worker", "beat"]

# What production.py refuses to start without, and what the app needs from outside.
REQUIRED_BY_PRODUCTION = ["SECRET_KEY", "DATABASE_URL", "FIELD_ENCRYPTION_KEY", "BLIND_INDEX_KEY"]
APP_ENV = [
    *REQUIRED_BY_PRODUCTION,
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "DEFAULT_FROM_EMAIL",
    "MEDIA_ROOT",
]

# What an operator would put in .env (values only for the variables compose insists on).
OPERATOR_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "FIELD_ENCRYPTION_KEY": secrets.token_hex(16),
    "BLIND_INDEX_KEY": secrets.token_hex(32),
    "POSTGRES_PASSWORD": "postgres-password",
    "ALLOWED_HOSTS": "partyadmin.example.edu.cn",
}


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error} substitution."""

    def substitute(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"] or ""
        if env.get(name):
            return env[name]
        if op == ":?":
            raise KeyError(f"compose needs {name}: {arg}")
        return arg

    return re.sub(r"\$\{(?P<name>\w+)(?:(?P<op>:-|:\?)(?P<arg>[^}]*))?\}", substitute, value)


def service_env(service: str, env: dict[str, str]) -> dict[str, str]:
    environment = SERVICES[service]["environment"]
    return {name: interpolate(str(value), env) for name, value in environment.items()}


def command(service: str) -> str:
    cmd = SERVICES[service]["command"]
    return " ".join(cmd) if isinstance(cmd, list) else cmd


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run(
        [PYTHON, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


def test_compose_has_the_production_services():
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(SERVICES)
    assert SERVICES["postgres"]["image"].startswith("postgres:16")
    assert SERVICES["redis"]["image"].startswith("redis:7")
    for name in APP_SERVICES:
        assert SERVICES[name]["build"] == ".", f"{name} runs the image of our Dockerfile"
    assert command("web").startswith("gunicorn partyadmin.wsgi")
    assert command("worker").startswith("celery -A partyadmin worker")
    assert command("beat").startswith("celery -A partyadmin beat")


@pytest.mark.parametrize("name", ["web", "worker", "beat", "postgres", "redis"])
def test_every_service_has_a_healthcheck(name):
    check = SERVICES[name]["healthcheck"]
    assert check["test"] and check["interval"] and check["timeout"]


def test_web_healthcheck_asks_healthz():
    test = SERVICES["web"]["healthcheck"]["test"]
    assert "scripts/healthcheck.py" in test and "web" in test
    source = (BASE_DIR / "scripts" / "healthcheck.py").read_text()
    assert "/healthz" in source


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_dependencies(name):
    depends = SERVICES[name]["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"
    # Every dependency waits for a healthy (or, for one-shot migrate, finished) service.
    for dependency, rule in depends.items():
        assert rule["condition"] in {"service_healthy", "service_completed_successfully"}
        if rule["condition"] == "service_healthy":
            assert "healthcheck" in SERVICES[dependency]


def test_named_volumes_for_database_and_uploads_outside_the_web_root():
    named = set(COMPOSE["volumes"])
    mounts = {
        service: dict(reversed(v.split(":")[:2]) for v in SERVICES[service].get("volumes", []))
        for service in SERVICES
    }
    assert mounts["postgres"]["/var/lib/postgresql/data"] in named
    media_root = service_env("web", OPERATOR_ENV)["MEDIA_ROOT"]
    for service in ["web", "worker"]:
        assert mounts[service][media_root] in named, f"{service} needs the uploads volume"
    # Not inside the app (whose static files WhiteNoise serves) nor the image's code.
    assert not media_root.startswith("/app"), media_root


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_get_every_setting_from_the_environment(name):
    env = SERVICES[name]["environment"]
    assert env["DJANGO_SETTINGS_MODULE"] == "partyadmin.settings.production"
    missing = [variable for variable in APP_ENV if variable not in env]
    assert not missing, f"{name} lacks {missing}"


def test_compose_refuses_to_start_without_the_secrets():
    for name in ["SECRET_KEY", "FIELD_ENCRYPTION_KEY", "BLIND_INDEX_KEY", "POSTGRES_PASSWORD"]:
        with pytest.raises(KeyError, match=name):
            service_env("web", {k: v for k, v in OPERATOR_ENV.items() if k != name})


@pytest.mark.parametrize("name", APP_SERVICES)
def test_production_settings_load_from_exactly_the_compose_environment(name):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.MEDIA_ROOT,"
        " s.ALLOWED_HOSTS, s.CELERY_TASK_ALWAYS_EAGER)"
    )
    done = run_python(code, service_env(name, OPERATOR_ENV))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "False",
        "django.db.backends.postgresql",
        "redis://redis:6379/0",
        "/data/uploads",
        "['partyadmin.example.edu.cn']",
        "False",
    ]


@pytest.mark.parametrize("missing", REQUIRED_BY_PRODUCTION)
def test_production_settings_refuse_to_start_without(missing):
    env = service_env("web", OPERATOR_ENV)
    del env[missing]
    done = run_python("import django; django.setup()", env)
    assert done.returncode != 0
    assert f"ImproperlyConfigured: {missing} must be set" in done.stderr


def test_check_deploy_is_clean_with_production_settings():
    env = service_env("web", OPERATOR_ENV)
    env = {"PATH": os.environ["PATH"], **env}
    done = subprocess.run(
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def dockerfile_instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def test_dockerfile_builds_a_slim_non_root_gunicorn_image():
    instructions = dockerfile_instructions()
    assert instructions[0] == "FROM python:3.11-slim-bookworm"
    apt = next(i for i in instructions if "apt-get install" in i)
    for package in ["libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-noto-cjk"]:
        assert package in apt.split(), package
    runs = " ".join(i for i in instructions if i.startswith("RUN "))
    assert "uv sync --frozen --no-dev" in runs
    assert "manage.py collectstatic --noinput" in runs
    users = [i.split()[1] for i in instructions if i.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}, "the app must not run as root"
    assert instructions[-1].startswith('CMD ["gunicorn", "partyadmin.wsgi"')
    assert any("DJANGO_SETTINGS_MODULE=partyadmin.settings.production" in i for i in instructions)
    assert any(i.startswith("HEALTHCHECK ") for i in instructions)


def test_dockerfile_copies_only_what_exists_and_ignores_local_state():
    for instruction in dockerfile_instructions():
        if instruction.startswith("COPY ") and "--from" not in instruction:
            for source in instruction.split()[1:-1]:
                assert (BASE_DIR / source).exists(), instruction
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    for path in [".git", ".venv", "var", "*.sqlite3", ".env"]:
        assert path in ignored


def test_readme_opens_with_the_two_commands():
    readme = (BASE_DIR / "README.md").read_text()
    first_block = re.search(r"```\w*\n(.*?)```", readme, re.S)
    assert first_block, "README has no code block"
    assert first_block.start() < readme.find("\n## "), "the commands come before any section"
    commands = [line.split("#")[0].strip() for line in first_block[1].splitlines()]
    assert [c for c in commands if c] == ["scripts/run", "scripts/test"]


@pytest.mark.parametrize(
    "script", ["scripts/run", "scripts/test", "scripts/check_run_command", ".ci/run"]
)
def test_shell_scripts_are_executable_strict_and_parse(script):
    path = Path(BASE_DIR, script)
    assert os.access(path, os.X_OK), f"{script} is not executable"
    text = path.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
