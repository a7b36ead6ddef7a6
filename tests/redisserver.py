"""A real redis-server for the distributed tests and benchmarks/distributed.py: a child
process on a free loopback port with its own temporary directory, stopped by its PID.
No fake Redis anywhere."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.children import stop

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def have_redis() -> bool:
    """Whether redis-server is installed (Debian's package: `make system`)."""
    return Path(REDIS_SERVER).exists()


def free_port() -> int:
    """A TCP port nothing listens on now, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RedisServer:
    """A running redis-server child; ``aof`` keeps its data across :meth:`restart`."""

    directory: Path
    port: int
    aof: bool = False
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        """Start it and wait until it answers PING."""
        self.directory.mkdir(parents=True, exist_ok=True)
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "yes" if self.aof else "no", "--appendfsync", "always",
                "--dir", str(self.directory)]  # fmt: skip
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.ping():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def ping(self) -> bool:
        """Whether it answers PING (and has loaded its data)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Stop it by its PID (SIGTERM: with AOF on, everything written is kept)."""
        if self.process is None:
            return
        stop(self.process)
        self.process = None

    def restart(self, down: float = 0.0) -> None:
        """Stop it, stay down ``down`` seconds, start it again on the same port."""
        self.stop()
        time.sleep(down)
        self.start()


def start_redis(directory: Path, aof: bool = False) -> RedisServer:
    """A redis-server on a free port, its files in ``directory``."""
    return RedisServer(directory, free_port(), aof).start()
