"""Command-line paths whose refusals are Chinese and English, as every other message (click's are English only:
"Path 'x' does not exist.", "File 'x' is a directory.", cold review 21)."""

from __future__ import annotations

import errno
import os
import socket

import click


class BilingualPath(click.Path):
    """click.Path, its refusal said first in Chinese: the check click made, read again from the file system."""

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as error:
            raise click.BadParameter(f"{_in_chinese(self, os.fsdecode(value))} / {error.message}", ctx,
                                     param) from None


def _in_chinese(kind: click.Path, path: str) -> str:
    if not os.path.exists(path):
        return f"路径 {path!r} 不存在"
    if os.path.isdir(path) and not kind.dir_okay:
        return f"{path!r} 是目录，这里需要一个文件"
    if not os.path.isdir(path) and not kind.file_okay:
        return f"{path!r} 是文件，这里需要一个目录"
    if kind.readable and not os.access(path, os.R_OK):
        return f"{path!r} 不可读（没有读取权限）"
    if kind.writable and not os.access(path, os.W_OK):
        return f"{path!r} 不可写（没有写入权限）"
    return f"路径 {path!r} 不可用"


def check_port_free(host: str, port: int) -> None:
    """Refuse, in both languages, a port another program holds, before the server (and any build it needs)
    starts: werkzeug says only "Address already in use" (cold review 21). Bound with SO_REUSEADDR as werkzeug's
    server binds, so a port in TIME_WAIT after a stopped server is not called taken."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror:
        return  # the server names the host it cannot find
    probe = socket.socket(family, kind, proto)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            return  # the server says what else is wrong
        raise click.ClickException(
            f"端口 {port}（{host}）已被其他程序占用：请停止那个程序，或用 --port 换一个端口 / port {port} on {host} is "
            "already in use by another program (Address already in use): stop that program, or choose another port "
            "with --port") from None
    finally:
        probe.close()
