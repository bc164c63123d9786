"""Confine a process that runs user input: no outbound network, bounded memory (issue 10).

Query workers (store/query_worker.py) and validation workers (server/validation/worker.py) call
`confine()` first thing, while they are still single-threaded. Two walls, independent of
anything the process parses:

- **No network.** pyoxigraph opens HTTP connections for SERVICE by itself (issue 10: a lexer
  that misread `x:a\\#b` let a query POST to any address). The worker moves into a network
  namespace of its own (unshare(2) CLONE_NEWNET; with CLONE_NEWUSER when not root), where the
  only interface, `lo`, is down: every connect() fails with ENETUNREACH, loopback included.
  Where namespaces are not allowed (a container's seccomp profile, user namespaces disabled),
  a seccomp filter makes socket(AF_INET/AF_INET6) fail with EACCES instead. If neither works
  the worker says so (`Confinement.network == "none"`), /health reports it and
  docs/security.md says what that leaves.
- **Bounded memory.** RLIMIT_AS caps the address space: a billion-laughs document or an
  ORDER BY over a cross join makes an allocation fail in that worker alone (Rust aborts,
  Python raises MemoryError), never the machine (issue 10 measured 6 GB and 5.8 GB).
- **Bounded files.** RLIMIT_FSIZE caps any file the worker writes at `FILE_CAP_BYTES`. A worker writes only
  its stderr (an unnamed temporary file, store/children.py; the store is opened read-only), where a library
  warning once per broken object of a hostile document could fill the disk. Past the cap a write fails
  (EFBIG; SIGXFSZ, which would kill the worker, is ignored): logging drops the line, the answer still
  goes back over the pipe, which the cap does not touch.
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import signal
import struct
from dataclasses import dataclass

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_EACCES = 13
_AF_INET, _AF_INET6 = 2, 10
# (audit arch, socket(2) syscall number) per machine: linux/audit.h, asm/unistd_64.h, asm-generic/unistd.h.
_ARCHES = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}
# Classic BPF opcodes (linux/filter.h).
_LD_W_ABS, _JEQ_K, _RET_K = 0x20, 0x15, 0x06

MODES = ("auto", "netns", "seccomp", "off")
FILE_CAP_BYTES = 64 * 1024 * 1024  # a worker's stderr: the server reads its last few kilobytes only


@dataclass(frozen=True)
class Confinement:
    network: str  # "netns", "seccomp" or "none"
    memory_bytes: int | None  # the RLIMIT_AS set, None when unlimited
    reason: str = ""  # why the network wall is missing, when it is


def confine(memory_mb: int | None, mode: str = "auto") -> Confinement:
    """Cap this process's memory at `memory_mb` MiB and the files it writes, cut its network; report what held."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_CAP_BYTES, FILE_CAP_BYTES))
    memory = None
    if memory_mb:
        memory = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    if mode == "off":
        return Confinement("none", memory, "sandbox=off")
    errors = []
    if mode in ("auto", "netns"):
        try:
            _unshare_network()
            return Confinement("netns", memory)
        except OSError as error:
            errors.append(f"unshare: {error}")
    if mode in ("auto", "seccomp"):
        try:
            _deny_inet_sockets()
            return Confinement("seccomp", memory)
        except OSError as error:
            errors.append(f"seccomp: {error}")
    return Confinement("none", memory, "; ".join(errors))


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _unshare_network() -> None:
    libc = _libc()
    uid, gid = os.getuid(), os.getgid()
    if uid == 0:
        if libc.unshare(_CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
        return
    # Unprivileged: a user namespace grants CAP_SYS_ADMIN over the new network namespace. Map our
    # own uid/gid onto themselves so files (the store) stay readable exactly as before.
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as handle:
            handle.write(text)


def _deny_inet_sockets() -> None:
    machine = platform.machine()
    if machine not in _ARCHES:
        raise OSError(f"no seccomp filter written for {machine}")
    arch, socket_nr = _ARCHES[machine]

    def op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
        return struct.pack("HBBI", code, jt, jf, k)

    errno = _SECCOMP_RET_ERRNO | _EACCES
    program = b"".join([
        op(_LD_W_ABS, 4),  # seccomp_data.arch
        op(_JEQ_K, arch, 0, 5),  # another ABI: allow (the engine only makes native calls)
        op(_LD_W_ABS, 0),  # seccomp_data.nr
        op(_JEQ_K, socket_nr, 0, 3),
        op(_LD_W_ABS, 16),  # seccomp_data.args[0] (low half): the address family
        op(_JEQ_K, _AF_INET, 2, 0),
        op(_JEQ_K, _AF_INET6, 1, 0),
        op(_RET_K, _SECCOMP_RET_ALLOW),
        op(_RET_K, errno),
    ])
    filters = ctypes.create_string_buffer(program)
    fprog = struct.pack("HxxxxxxP", len(program) // 8, ctypes.addressof(filters))
    fprog_buffer = ctypes.create_string_buffer(fprog)
    libc = _libc()
    libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4  # untyped ctypes ints are 32-bit
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(fprog_buffer), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
