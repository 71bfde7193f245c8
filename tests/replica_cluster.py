"""A PostgreSQL primary and its streaming replica, made on this machine for the replica tests.

The machine's own cluster (CITATIONS_TEST_POSTGRES_URL, port 5432) has no replica, and the
tests must not change its settings, so the session makes a pair of its own:

- a primary: `initdb` into a temporary folder, `wal_level=replica`, a pg_hba line letting
  `replication` connect from 127.0.0.1 with trust, on a free port;
- a replica: `pg_basebackup -R` of it (a copy with `standby.signal` and the primary's
  address written for it), on another free port, streaming from the primary.

Both listen on 127.0.0.1 only, put their sockets in the temporary folder, and run with
`fsync=off` (a test's data need not survive a power cut), so the pair starts in a few
seconds. They are stopped and their folder removed at the end, also when setting up fails.
PostgreSQL refuses to run as root, so as root (the tests' container) every command runs as
the `postgres` user through `runuser`.

Example:
    with streaming_pair() as pair:
        engine = create_engine(pair.primary_url("citations"))
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.clock import pause, run_to_the_end

BIN_ROOT = Path("/usr/lib/postgresql")
OS_USER = "postgres"


class ClusterUnavailable(Exception):
    """PostgreSQL's server programs are not installed here: the tests skip, saying so."""


def server_binaries() -> Path:
    """The newest installed server's bin folder (`/usr/lib/postgresql/<version>/bin`)."""
    versions = sorted(
        (p for p in BIN_ROOT.glob("*/bin") if (p / "pg_basebackup").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if not versions:
        raise ClusterUnavailable(f"no PostgreSQL server programs under {BIN_ROOT}")
    return versions[-1]


def free_port() -> int:
    """A port nothing listens on now (the kernel's choice among the ephemeral ones, never
    the machine cluster's 5432, which is taken)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Cluster:
    folder: Path
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{OS_USER}@127.0.0.1:{self.port}/{database}"


@dataclass(frozen=True)
class StreamingPair:
    primary: Cluster
    replica: Cluster
    bin: Path
    as_server: tuple[str, ...]

    def primary_url(self, database: str = "postgres") -> str:
        return self.primary.url(database)

    def replica_url(self, database: str = "postgres") -> str:
        return self.replica.url(database)

    def stop_replica(self) -> None:
        """Stop the replica (fast: its connections are cut), for the fallback tests."""
        self.run("pg_ctl", "-D", str(self.replica.folder), "-m", "fast", "-w", "stop")

    def start_replica(self) -> None:
        self._start(self.replica)

    def run(self, program: str, *args: str) -> str:
        done = run_to_the_end([*self.as_server, str(self.bin / program), *args], timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def _start(self, cluster: Cluster) -> None:
        log = cluster.folder.parent / f"{cluster.folder.name}.log"
        self.run("pg_ctl", "-D", str(cluster.folder), "-l", str(log), "-w", "-t", "30", "start")


def _as_server() -> tuple[str, ...]:
    """How to run the server's programs: as `postgres` when we are root (it refuses root)."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("runuser") is None:
        raise ClusterUnavailable("running as root without runuser: cannot start PostgreSQL")
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        raise ClusterUnavailable(f"no {OS_USER!r} user to run PostgreSQL as") from None
    return ("runuser", "-u", OS_USER, "--")


def _settings(folder: Path, port: int, sockets: Path) -> str:
    return "\n".join(
        [
            "",
            "# the replica tests' own cluster (tests/replica_cluster.py)",
            f"port = {port}",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{sockets}'",
            "wal_level = replica",
            "max_wal_senders = 4",
            "hot_standby = on",
            "fsync = off",
            "full_page_writes = off",
            "shared_buffers = 16MB",
            "max_connections = 40",
            "",
        ]
    )


@contextmanager
def streaming_pair() -> Iterator[StreamingPair]:
    """A running primary and its streaming replica; both stopped and removed afterwards."""
    binaries = server_binaries()
    as_server = _as_server()
    with ExitStack() as cleanup:
        base = Path(tempfile.mkdtemp(prefix="citations-replica-"))
        cleanup.callback(shutil.rmtree, base, True)
        if as_server:
            user = pwd.getpwnam(OS_USER)
            os.chown(base, user.pw_uid, user.pw_gid)
        primary = Cluster(base / "primary", free_port())
        replica = Cluster(base / "replica", free_port())
        pair = StreamingPair(primary, replica, binaries, as_server)
        pair.run(
            "initdb",
            "-D",
            str(primary.folder),
            "-U",
            OS_USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
            "--no-instructions",
        )
        settings = _settings(primary.folder, primary.port, base)
        _append(pair, primary.folder / "postgresql.conf", settings)
        _append(pair, primary.folder / "pg_hba.conf", "host replication all 127.0.0.1/32 trust\n")
        pair._start(primary)
        cleanup.callback(_stop, pair, primary)
        pair.run(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            OS_USER,
            "-D",
            str(replica.folder),
            "-R",  # standby.signal and primary_conninfo: it starts as a streaming replica
            "-X",
            "stream",
            "--checkpoint=fast",
            "--no-sync",
        )
        _append(pair, replica.folder / "postgresql.conf", f"\nport = {replica.port}\n")
        pair._start(replica)
        cleanup.callback(_stop, pair, replica)
        _wait_streaming(pair)
        yield pair


def _append(pair: StreamingPair, path: Path, text: str) -> None:
    # The cluster's files belong to `postgres`; root may write them, and keeps their owner.
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


def _stop(pair: StreamingPair, cluster: Cluster) -> None:
    if (cluster.folder / "postmaster.pid").exists():
        # immediate: nothing of a test cluster needs to be kept
        pair.run("pg_ctl", "-D", str(cluster.folder), "-m", "immediate", "-w", "stop")


def _wait_streaming(pair: StreamingPair, seconds: float = 20) -> None:
    """Until the primary lists the replica as streaming."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = pair.run(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(pair.primary.port),
            "-U",
            OS_USER,
            "-Atc",
            "SELECT state FROM pg_stat_replication",
        )
        if "streaming" in state:
            return
        pause(0.1)
    raise RuntimeError("the replica did not start streaming from the primary")
