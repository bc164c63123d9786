"""Command-line paths, ports and bases whose refusals are Chinese and English, as every other message (click's
are English only: "Path 'x' does not exist.", "File 'x' is a directory.", cold review 21)."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

import click


class BilingualPath(click.Path):
    """click.Path, its refusal said first in Chinese: the check click made, read again from the file system."""

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as error:
            raise click.BadParameter(f"{_in_chinese(self, os.fsdecode(value))} / {error.message}", ctx,
                                     param) from None


class OutputPath(BilingualPath):
    """A file to write, refused before any work when its folder is missing or not writable: `luzhi build --report
    /missing/r.json` built and switched the store, then exited 2 on the report (cold review), and a script that
    trusts the exit status took a built store for a failed build."""

    def __init__(self) -> None:
        super().__init__(dir_okay=False, path_type=Path)

    def convert(self, value, param, ctx):
        path = super().convert(value, param, ctx)
        if not str(value).strip() or path.is_dir():
            self.fail(f"{str(value)!r} 不是文件名 / {str(value)!r} is no file name", param, ctx)
        folder = path.resolve().parent  # where a symbolic link's target would be written (cold review 28)
        if not folder.is_dir():
            said = "不是目录" if folder.exists() else "不存在"
            said_en = "is not a folder" if folder.exists() else "does not exist"
            self.fail(f"目录 {str(folder)!r} {said}，无法写入 {str(path)!r} / folder {str(folder)!r} {said_en}, so "
                      f"{str(path)!r} cannot be written", param, ctx)
        if not os.access(folder, os.W_OK | os.X_OK):
            self.fail(f"目录 {str(folder)!r} 不可写，无法写入 {str(path)!r} / folder {str(folder)!r} is not "
                      f"writable, so {str(path)!r} cannot be written", param, ctx)
        return path


def check_base(_ctx, _param, value):
    """--base is the start of every IRI luzhi mints: an http(s) URL, ASCII, without query or fragment (cold
    review: "not a url" was blamed on the first document, and javascript:alert(1) built a store; `luzhi validate`
    printed 2,366 rdflib warnings of IRIs that were no IRIs before its error)."""
    if value is None:
        return None
    parts = urlsplit(value)
    odd = not value.isascii() or any(c.isspace() or c in '<>"{}|\\^`?#' for c in value)
    if parts.scheme not in ("http", "https") or not parts.netloc or odd:
        raise click.BadParameter(f"需要 http(s) 网址（ASCII，无 ? 与 #）/ an http(s) URL in ASCII without query or "
                                 f"fragment, e.g. https://luzhi.example.org; got {value!r}", param_hint="--base")
    return value


def files_in_folders(more_suffixes: frozenset[str] = frozenset()):
    """A click callback for FILES: each folder among them stands for the files in it and its subfolders that are
    documents (etl/readers `DOCUMENT_SUFFIXES`) or end in one of `more_suffixes`, in order of their paths. 38,700
    townships' files named one by one pass the system's bound on a command line (ARG_MAX, 2 MB here).

    Left out: hidden files and folders, Word's `~$` lock files, and a luzhi store's or state's folder, which keeps a
    copy of every source: `luzhi build .` in the documents' folder makes its store, ./luzhi-store, there, and the
    next run read each document twice."""

    def expand(_ctx, param, paths: tuple[Path, ...]) -> tuple[Path, ...]:
        files: list[Path] = []
        for path in paths:
            if not path.is_dir():
                files.append(path)
                continue
            from luzhi.etl.readers import DOCUMENT_SUFFIXES  # here: the readers take ~0.5 s to import

            suffixes = DOCUMENT_SUFFIXES | more_suffixes
            found = sorted(file for file in _files_under(path) if file.suffix.lower() in suffixes)
            if not found:
                shown = " ".join(sorted(suffixes))
                raise click.BadParameter(f"目录 {str(path)!r} 及其子目录中没有文档（{shown}） / the folder "
                                         f"{str(path)!r} and its subfolders hold no document ({shown})", param=param)
            files.extend(found)
        return tuple(files)

    return expand


def _files_under(folder: Path):
    """The regular files in `folder` and its subfolders, but for those `files_in_folders` leaves out."""
    for root, folders, names in os.walk(folder):
        if _is_luzhi_folder(Path(root)):
            folders.clear()
            continue
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in names:
            file = Path(root) / name
            if not name.startswith((".", "~$")) and file.is_file():
                yield file


def _is_luzhi_folder(folder: Path) -> bool:
    """A luzhi store (its `current` pointer beside `snapshots/`) or a remote store's state folder (`build.json`
    beside `sources/`): each keeps a copy of every source. A folder merely named `snapshots` is none (cold review
    30: its documents were passed over without a word)."""
    from luzhi.store.snapshots import CURRENT, SNAPSHOTS  # here: `luzhi --help` need not import the store
    from luzhi.store.state import BUILD_INFO, SOURCES_DIR

    return ((folder / CURRENT).exists() and (folder / SNAPSHOTS).is_dir()) or (
        (folder / BUILD_INFO).is_file() and (folder / SOURCES_DIR).is_dir())


def check_distinct_files(paths) -> None:
    """Refuse a file given twice (by one path or two, a symbolic or a hard link): the build parsed both, then refused
    them as two files of one name, once for each, or a hard link as a township claimed twice (cold reviews)."""
    seen: dict[object, Path] = {}
    for path in map(Path, paths):
        first = seen.setdefault(_identity(path), path)
        if first is not path:
            raise click.BadParameter(f"文件 {str(first)!r} 给出了两次（{str(path)!r}）：每个文件只给一次 / the file "
                                     f"{str(first)!r} is given twice ({str(path)!r}): give each file once",
                                     param_hint="FILES")


def _identity(path: Path) -> object:
    """The file itself (device and inode), whatever names it; its resolved path where it cannot be read."""
    try:
        status = path.stat()
    except OSError:
        return path.resolve()
    return status.st_dev, status.st_ino


def check_port(_ctx, _param, port: int) -> int:
    """0–65535 (0: any free port): `--port 99999` served on 34463, the number modulo 65,536 (cold review)."""
    if not 0 <= port <= 65535:
        raise click.BadParameter(f"端口须在 0–65535 之间，收到 {port} / a port is a number from 0 to 65535, got {port}")
    return port


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
