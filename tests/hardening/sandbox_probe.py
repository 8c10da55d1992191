"""Run the iwa-audit CLI under a Python audit hook that records forbidden side effects.

Used by test_never_writes.py in a subprocess: every write-mode open outside the
allowed output file, every socket connection, process spawn, file removal or
rename is recorded and printed as JSON on stderr's last line. The hook cannot
be bypassed by pure-Python code and also sees C extensions that go through
CPython's file and socket APIs.
"""

from __future__ import annotations

import json
import os
import sys

FORBIDDEN_PREFIXES = ("socket.", "subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "pty.", "webbrowser.", "urllib.Request", "http.client.")
FS_CHANGES = ("os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.symlink", "os.link", "os.truncate", "os.chmod", "os.chown", "shutil.", "os.utime")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def main() -> int:
    allowed_output = os.environ.get("IWA_PROBE_ALLOWED_OUTPUT")
    events: list[str] = []

    def hook(event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = ([*list(args), None, None, None])[:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (isinstance(flags, int) and flags & WRITE_FLAGS)
            if writing and str(path) != allowed_output and str(path) != "/dev/null":
                events.append(f"write-open {path} {mode} {flags}")
        elif event == "os.mkdir" and allowed_output and str(args[0]) == os.path.dirname(allowed_output):
            pass  # creating the output's own folder is part of writing the output
        elif event.startswith(FORBIDDEN_PREFIXES) or event.startswith(FS_CHANGES):
            events.append(f"{event} {args!r}"[:300])

    sys.addaudithook(hook)
    from auditor.cli import main as cli_main

    code = cli_main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.write("\nPROBE-EVENTS " + json.dumps(events) + "\n")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
