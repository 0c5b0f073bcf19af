"""What the start-up path does not load: `import neuroflow` and the lecture program (a Session that trains a
2-parameter model) leave out the standard-library modules that cost most to import or start a process (hashlib
loads OpenSSL, ctypes.util runs ldconfig in a subprocess, shutil pulls in bz2 and lzma, ...) and numba, whose
kernels are imported when a plan first needs one. Measured in modules loaded, not in seconds: the seconds come
from benchmarks/startup.py."""
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
SLOW_TO_IMPORT = ["hashlib", "socket", "shutil", "gzip", "tempfile", "subprocess", "ctypes.util", "uuid", "numba"]


def _loaded_after(code):
    probe = f"{code}\nimport sys\nprint('loaded:', *[m for m in {SLOW_TO_IMPORT!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO)
    return done.stdout.splitlines()[-1].split()[1:]


def test_import_neuroflow_leaves_the_slow_modules_out():
    assert _loaded_after("import neuroflow") == []


def test_the_lecture_program_leaves_the_slow_modules_out():
    lecture = (REPO / "examples" / "lecture_train.py").read_text()
    assert _loaded_after(lecture) == []
