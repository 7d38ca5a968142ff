"""Private services for the fault tests: a PostgreSQL cluster, a Redis, gunicorn and a Celery worker.

Nothing here touches the shared PostgreSQL (5432) or Redis (6379): every process listens on a
free port of 127.0.0.1, is started by us and stopped by its PID.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _pg_bin() -> Path:
    """PostgreSQL's server programs: CIVICWORKS_PG_BIN, else the newest Debian installation."""
    if "CIVICWORKS_PG_BIN" in os.environ:
        return Path(os.environ["CIVICWORKS_PG_BIN"])
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    return installed[0] if installed else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()
VENV_BIN = Path(sys.executable).parent


def missing_programs() -> list[str]:
    """The programs the private stack needs that this machine lacks, each with how to get it."""
    lacking = []
    if not (PG_BIN / "initdb").exists():
        lacking.append(f"PostgreSQL's initdb in {PG_BIN} (apt install postgresql, or set CIVICWORKS_PG_BIN)")
    if not shutil.which("redis-server"):
        lacking.append("redis-server (apt install redis-server)")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        lacking.append("runuser (util-linux), to run PostgreSQL as the postgres user")
    if not (VENV_BIN / "gunicorn").exists() or not (VENV_BIN / "celery").exists():
        lacking.append(f"gunicorn and celery in {VENV_BIN} (make install-dev)")
    return lacking


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _as_postgres(args: list[str]) -> list[str]:
    # initdb refuses to run as root; the cluster belongs to the `postgres` user.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class PrivatePostgres:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="cw-faults-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
            ),
            check=True,
            capture_output=True,
        )

    def _ctl(self, *args: str) -> None:
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} -c fsync=off"
        cmd = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-o", opts, "-w", *args]
        subprocess.run(_as_postgres(cmd), check=True, capture_output=True)

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")

    def accepting(self) -> bool:
        probe = [str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"]
        return subprocess.run(probe).returncode == 0

    def url(self, name: str = "cw_faults") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str = "cw_faults") -> None:
        psql = [str(PG_BIN.parent / "bin" / "psql")] if (PG_BIN / "psql").exists() else ["psql"]
        subprocess.run(
            [*psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-c", f"CREATE DATABASE {name}"],
            check=True,
            capture_output=True,
        )

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Proc:
    """A child process in its own session, so kill -9 takes its children (pool workers) too."""

    def __init__(self, name: str, args: list[str], env: dict, log_dir: Path) -> None:
        self.name, self.args, self.env, self.log_dir = name, args, env, log_dir
        self.popen: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = open(self.log_dir / f"{self.name}.{self.starts}.log", "wb")  # noqa: SIM115 — kept by the child
        self.popen = subprocess.Popen(
            self.args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill9(self) -> None:
        assert self.popen is not None
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)


def redis(port: int, log_dir: Path) -> Proc:
    args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    return Proc("redis", args, dict(os.environ), log_dir)


def stack_env(*, database_url: str, redis_url: str, media: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "DJANGO_", "CELERY_"))}
    return {
        **env,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "fault-tests-only-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "DJANGO_MEDIA_ROOT": str(media),
        "DJANGO_LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        # Test speed knobs (production: 120 s grace, 60 s sweep); see docs/reliability.md.
        "CIVICWORKS_SWEEP_GRACE_SECONDS": "20",
        "CIVICWORKS_SWEEP_INTERVAL_SECONDS": "5",
        "CIVICWORKS_RETRY_FIRST_SECONDS": "10",
        "CIVICWORKS_RETRY_LATER_SECONDS": "30",
    }


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def gunicorn(port: int, env: dict, log_dir: Path) -> Proc:
    args = [
        str(VENV_BIN / "gunicorn"), "civicworks.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", "3", "--worker-class", "gthread", "--threads", "4", "--timeout", "30", "--preload",
    ]  # fmt: skip
    return Proc("gunicorn", args, env, log_dir)


def celery_worker(env: dict, log_dir: Path) -> Proc:
    """A worker with an embedded beat (-B): the outbox sweep runs every CIVICWORKS_SWEEP_INTERVAL_SECONDS."""
    args = [
        sys.executable, "-m", "celery", "-A", "civicworks", "worker", "-B",
        "--schedule", str(log_dir / "beat-schedule"), "--concurrency", "2",
        "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "WARNING",
    ]  # fmt: skip
    return Proc("worker", args, env, log_dir)
