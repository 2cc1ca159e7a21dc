"""The package imports on Windows, where county analysts work: no POSIX-only module on the import path.

A subprocess in which ``fcntl``, ``resource``, ``termios``, ``pwd`` and ``grp`` cannot be imported by
our code (as on Windows; libraries keep their own platform backends) imports every module of
``pipeline``, ``contracts`` and ``flows``.  (``tests/test_layout.py`` also reads every source file
for such an import, inside functions too.)
"""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSIX_ONLY = ("fcntl", "resource", "termios", "pwd", "grp")
PACKAGES = ("pipeline", "contracts", "flows")


SCRIPT = textwrap.dedent(
    f"""
    import importlib, pkgutil, sys
    ROOT, POSIX_ONLY = {str(ROOT)!r}, {POSIX_ONLY!r}

    class WindowsLike:
        # Refuse a POSIX-only module to our own code, as Windows would.
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] not in POSIX_ONLY:
                return None
            frame = sys._getframe(1)
            while frame and frame.f_code.co_filename.startswith("<frozen"):
                frame = frame.f_back
            caller = frame.f_code.co_filename if frame else ""
            if caller.startswith(ROOT) and "site-packages" not in caller:
                raise ImportError(f"{{name}} is POSIX-only (imported by {{caller}})")
            return None

    for name in POSIX_ONLY:
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, WindowsLike())
    names = []
    for package in {PACKAGES!r}:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, package + "."):
            importlib.import_module(info.name)
            names.append(info.name)
    print(len(names))
    """
)


def test_every_module_imports_where_posix_only_modules_are_refused():
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert int(done.stdout.strip()) > 40  # every module was walked, not just the packages


def test_the_refusal_works():
    script = SCRIPT.split("names = []")[0] + "exec(compile('import fcntl', " + repr(str(ROOT / "probe.py")) + ", 'exec'))\n"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "fcntl is POSIX-only" in done.stderr, done.stderr[-2000:]
