# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bulwark.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place where bulwark writes a secret or an evidence file (a password, the credential
report export, CloudTrail evidence, the drift report).

Such a file is created, never opened: O_CREAT | O_EXCL | O_NOFOLLOW, mode 0600 whatever the
umask. A file another local user made at the path beforehand (mode 0666, kept open to read what
lands in it) or a symbolic link planted there (to a file of theirs, or to where nothing is yet)
never receives the data:

- ``create_exclusive(path, data)``: the file must not exist at all, not even as a dangling
  link: FileExistsError otherwise. For what must never replace anything (the admin password).
- ``replace_atomic(path, data)``: an exclusive temporary file beside ``path``, then a rename
  onto it. A rename replaces a link itself, never what it points to, and the old file's
  readers keep the old inode: they never see the new data. For files a later run rewrites
  (exports, evidence, reports); readers see the old file or the new one, never a part.

A write that fails (a full disk) leaves no partial file and no temporary file behind.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import hashlib
import os
import secrets

MODE = 0o600
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_TEMP_ATTEMPTS = 10
# File systems that cannot sync a file say so with these; the data is written all the same.
_NO_SYNC = (errno.EINVAL, getattr(errno, "ENOTSUP", errno.EINVAL), getattr(errno, "EOPNOTSUPP", errno.EINVAL))


def _bytes(data):
    return data if isinstance(data, bytes) else data.encode("utf-8")


def create_exclusive(path, data, mode=MODE):
    """Create ``path`` with ``data`` (text is written as UTF-8), mode 0600. Raises
    FileExistsError when anything is at ``path`` (a file, a directory, a symbolic link, even
    a dangling one), OSError when it cannot be written; then nothing is left at ``path`` that
    this call made."""
    fd = os.open(path, _FLAGS, mode)
    try:
        try:
            os.fchmod(fd, mode)  # the umask may have taken bits away; never adds any beyond ``mode``
            f = os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            raise
        with f:
            f.write(_bytes(data))
            f.flush()
            try:
                os.fsync(f.fileno())  # on disk before a rename makes it the file of that name
            except OSError as e:
                if e.errno not in _NO_SYNC:
                    raise
    except BaseException:
        try:
            os.unlink(path)  # created by this call (O_EXCL): ours to remove
        except OSError:
            pass
        raise


def replace_atomic(path, data, mode=MODE):
    """Write ``data`` to ``path`` through an exclusive temporary file in the same directory
    (``<path>.tmp.<random>``), then rename it onto ``path``: an earlier file of that name is
    replaced (a symbolic link there is replaced itself, not followed), a failure leaves the
    earlier file as it was and no temporary file."""
    for attempt in range(_TEMP_ATTEMPTS):
        tmp = "%s.tmp.%s" % (path, secrets.token_hex(6))
        try:
            create_exclusive(tmp, data, mode)
            break
        except FileExistsError:  # someone took that random name: another one
            if attempt == _TEMP_ATTEMPTS - 1:
                raise
    try:
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def evidence_dir_problem(path):
    """Why ``path`` cannot be an evidence directory (one line starting with "evidence_dir: "),
    or None. No write: checked with the module's input, before any AWS call."""
    if os.path.exists(path) and not os.path.isdir(path):
        return "evidence_dir: %s exists and is not a directory" % path
    if not os.path.isdir(path) and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        return "evidence_dir: the parent directory of %s does not exist" % path
    return None


def write_with_checksum(directory, name, data):
    """``data`` to ``directory/name`` and its sha256 to ``name.sha256`` beside it (the format
    ``sha256sum -c`` reads), each through replace_atomic (0600); the directory is created 0700
    when missing. Returns {path, sha256, checksum_file}."""
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o700)
    data = _bytes(data)
    path = os.path.join(directory, name)
    digest = hashlib.sha256(data).hexdigest()
    replace_atomic(path, data)
    replace_atomic(path + ".sha256", ("%s  %s\n" % (digest, name)).encode("utf-8"))
    return {"path": path, "sha256": digest, "checksum_file": path + ".sha256"}
