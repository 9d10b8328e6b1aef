"""Processes the tests start, and ending every one of them.

A process group is not enough to find what a command started: ansible-playbook's workers call
setsid() (ansible/executor/process/worker.py, WorkerProcess._detach), so each worker and the
module it runs live in a session and group of their own, and ``os.killpg`` of ansible-playbook's
group leaves them running with parent 1. Every process started here carries a mark in its
environment (BULWARK_TEST_RUN=<random>), which its children inherit whatever their session;
``stop`` ends the process group, then every process that carries the mark, and waits.

    proc = start(cmd, cwd=..., env=..., stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ...
    stop(proc)                 # ansible-playbook, its workers, the modules they run
    assert members(proc) == []

    run(cmd, timeout=300, ...)  # subprocess.run(capture_output=True, text=True) that never leaves a process
"""

import os
import secrets
import signal
import subprocess
import time

MARK = "BULWARK_TEST_RUN"


def start(cmd, env=None, mark=None, **kwargs):
    """subprocess.Popen in a new session (its own process group) with the run's mark in its
    environment (a new random one unless given); ``proc.mark`` is the mark."""
    mark = mark or secrets.token_hex(8)
    env = dict(os.environ if env is None else env)
    env[MARK] = mark
    proc = subprocess.Popen(cmd, env=env, start_new_session=True, **kwargs)
    proc.mark = mark
    return proc


def _environ(pid):
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            return f.read().split(b"\0")
    except OSError:  # gone, or a zombie (its environment is gone with it)
        return []


def members(proc_or_mark):
    """The pids of the live processes that carry the mark of ``proc`` (it and everything it
    started, in any session or process group). Zombies are not counted: they run nothing."""
    mark = getattr(proc_or_mark, "mark", proc_or_mark)
    if not os.path.isdir("/proc"):
        return []
    needle = ("%s=%s" % (MARK, mark)).encode()
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != os.getpid() and needle in _environ(int(name)):
            found.append(int(name))
    return found


def describe(pids):
    """pid: command line, for an assertion message."""
    out = []
    for pid in pids:
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                out.append("%d: %s" % (pid, f.read().replace(b"\0", b" ").decode(errors="replace").strip()))
        except OSError:
            out.append("%d: (gone)" % pid)
    return "; ".join(out)


def stop(proc, timeout=60):
    """End ``proc`` (started by ``start``), its process group and every process that carries its
    mark, then reap ``proc``. Returns its return code. Raises RuntimeError naming the processes
    still alive after ``timeout`` seconds (SIGKILL cannot be ignored: only a process stuck in the
    kernel survives that long)."""
    if proc.poll() is None:
        # Unreaped, the leader still holds its pid: the group id cannot belong to anyone else.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while True:
        left = members(proc)
        for pid in left:  # the workers that left the group (setsid), and what they started
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not left:
            break
        if time.monotonic() > deadline:
            raise RuntimeError("processes of %s survive SIGKILL: %s" % (proc.args, describe(left)))
        time.sleep(0.05)
    return proc.wait(timeout=max(1, deadline - time.monotonic()))


def run(cmd, timeout=None, **kwargs):
    """subprocess.run(cmd, capture_output=True, text=True, check=False) through ``start`` (same
    keyword arguments, ``mark`` too): on a timeout (subprocess.TimeoutExpired, as subprocess.run
    raises it), an interrupt or any other error, and after a normal end too, no process the
    command started is left running. subprocess.run's own timeout kills the command alone."""
    proc = start(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except BaseException:
        stop(proc)
        proc.communicate()
        raise
    stop(proc)  # a straggler of a run that ended (a worker that outlived ansible-playbook)
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)
