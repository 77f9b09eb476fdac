"""Fresh copies of the benchmark executables, for bench/ab and bench/overhead.

On the local VM the same executable file runs at a speed of its own, set by where its pages
happen to lie in memory: one copy of a counters-on fib(30) binary read 1.09 of the
compiled-out build's time, round after round for a quarter of an hour, while two other copies of
the very same bytes read 1.02 beside it (docs/PERFORMANCE.md, "Twentieth session"). A build
measured from one file carries that file's luck, and so does the build it is compared with;
the difference between two builds is then as much placement as code. So each build is run
from `copies` fresh copies of its executable, copy r % copies in round r: every build's figures
take in the same number of placements, and the medians over rounds average the luck out
instead of keeping one draw of it.
"""

import os
import shutil
import statistics
import tempfile


class Copies:
    def __init__(self, copies):
        if copies < 1:
            raise ValueError("copies must be at least 1")
        self.copies = copies
        self._dir = tempfile.mkdtemp(prefix="weft-bench-copies-")
        self._made = {}

    def path(self, exe, round_index):
        """The copy of `exe` that round `round_index` runs (exe itself when copies is 1)."""
        if self.copies == 1:
            return exe
        i = round_index % self.copies
        key = (exe, i)
        if key not in self._made:
            # A new file, written byte by byte (not a link, not a reflink): new pages.
            dst = os.path.join(self._dir, f"{len(self._made)}-{os.path.basename(exe)}")
            shutil.copyfile(exe, dst)
            os.chmod(dst, 0o755)
            self._made[key] = dst
        return self._made[key]

    def close(self):
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def by_copy(values, copies):
    """The median of each copy's rounds (round r ran copy r % copies): the placements' spread."""
    return [statistics.median(values[i::copies]) for i in range(min(copies, len(values)))]
