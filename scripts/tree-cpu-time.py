#!/usr/bin/python3
"""The CPU seconds of a command's whole process tree, also of the processes reparented away from it.

Usage: scripts/tree-cpu-time.py <command> [args...]
e.g.   scripts/tree-cpu-time.py nice -n 10 node_modules/.bin/vitest run test/e2e/compare.e2e.test.ts

/usr/bin/time and Vitest's list count a process and the children it waited for; Chromium's processes and the
PostgreSQL server (started by pg_ctl) leave their parents and are not counted. This runs the command as a child
subreaper (prctl PR_SET_CHILD_SUBREAPER): every orphaned descendant is reparented to it and reaped here, so
RUSAGE_CHILDREN adds up the whole tree. It waits until every descendant has exited (one still running 60 s after the
command ended is named and killed), then prints `<wall> s <user>+<sys> cpu (tree) = <total>` to stderr and exits with
the command's status. Linux only.
"""
import ctypes
import os
import resource
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36

if len(sys.argv) < 2:
    sys.exit(__doc__)
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit(f'prctl(PR_SET_CHILD_SUBREAPER) failed: {os.strerror(ctypes.get_errno())}')


def kill_stragglers(*_):
    listing = os.popen(f'ps -o pid=,args= --ppid {os.getpid()}').read()
    sys.stderr.write(f'still running 60 s after the command ended (killed):\n{listing}')
    for line in listing.splitlines():
        try:
            os.kill(int(line.split()[0]), signal.SIGKILL)
        except (ValueError, ProcessLookupError):
            pass


start = time.time()
child = os.fork()
if child == 0:
    try:
        os.execvp(sys.argv[1], sys.argv[1:])
    finally:
        os._exit(127)
status = None
ended = None
while True:
    try:
        pid, waited = os.wait()
    except ChildProcessError:
        break
    if pid == child:
        status, ended = waited, time.time()
        signal.signal(signal.SIGALRM, kill_stragglers)
        signal.alarm(60)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
wall = (ended or time.time()) - start
sys.stderr.write(
    f'{wall:.2f} s {usage.ru_utime:.2f}+{usage.ru_stime:.2f} cpu (tree) = {usage.ru_utime + usage.ru_stime:.1f}\n'
)
sys.exit(os.waitstatus_to_exitcode(status) if status is not None else 1)
