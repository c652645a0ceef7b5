"""Throughput and peak memory of our AES-256 zip writer, verifier and extractor next to 7-Zip.

Run: .venv/bin/python bench/zip.py [--size-mb 256] [--repeat 3]

Every operation runs in a fresh child process so its peak resident set size (ru_maxrss from
wait4) is its own, after os.sync() so that writing back the previous operation's output does
not compete for the CPUs; with --repeat the median time is kept. "MB/s net" leaves out our
child's start-up (interpreter, this script and the imports the operation needs), measured
apart. Figures are printed, never asserted.
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-Passw0rd-For-Zip-Tests"
MB = 1_000_000
_FIRST = "Jean Marie Camille Dominique Claude Nathalie Sylvie Pascal Isabelle Thierry".split()
_LAST = "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon".split()
_STREETS = "rue de la Paix|avenue Jean Jaurès|place de la Mairie|chemin des Vignes".split("|")
_TOWNS = "Lyon|Villeurbanne|Saint-Étienne|Vienne|Bourg-en-Bresse|Annecy|Chambéry".split("|")


def make_csv(path: Path, size: int) -> None:
    """A register-like CSV of people: realistic repetition, fresh numbers on every row."""
    rng = random.Random(2024)
    with path.open("wb") as out:
        out.write(b"id;nom;prenom;naissance;adresse;code_postal;commune;courriel;telephone\n")
        row, written = 0, 0
        while written < size:
            lines = []
            for _ in range(10_000):
                row += 1
                first, last = rng.choice(_FIRST), rng.choice(_LAST)
                lines.append(
                    f"{row};{last};{first};{rng.randint(1930, 2010)}-{rng.randint(1, 12):02d}-"
                    f"{rng.randint(1, 28):02d};{rng.randint(1, 180)} {rng.choice(_STREETS)};"
                    f"{rng.randint(1000, 9599) * 10};{rng.choice(_TOWNS)};"
                    f"{first.lower()}.{last.lower()}{rng.randint(1, 999)}@exemple.fr;"
                    f"0{rng.randint(1, 7)}{rng.randint(10**7, 10**8 - 1)}\n"
                )
            block = "".join(lines).encode("utf-8")[: size - written]
            out.write(block)
            written += len(block)


def make_random(path: Path, size: int) -> None:
    """Incompressible data: one 16 MiB random block repeated, far beyond deflate's 32 KiB window."""
    block = os.urandom(16 << 20)
    with path.open("wb") as out:
        for start in range(0, size, len(block)):
            out.write(block[: size - start])


# A forked child starts with its parent's resident pages and keeps that high-water mark across
# exec, so each command runs under a small launcher that forks it and reports the child's own peak.
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
os.write(int(sys.argv[1]), str(usage.ru_maxrss).encode())
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measure(command: list[str], output: Path | None = None, repeat: int = 1) -> tuple[float, float]:
    """Median wall seconds and highest peak RSS in MB of `command`, each run a fresh grandchild.

    `output` (a file or a folder) is removed before each run, so that no run replaces it.
    """
    runs = []
    for _ in range(repeat):
        if output is not None and output.is_dir():
            shutil.rmtree(output)
        elif output is not None:
            output.unlink(missing_ok=True)
        os.sync()
        runs.append(_measure_once(command))
    return statistics.median(seconds for seconds, _ in runs), max(peak for _, peak in runs)


def _measure_once(command: list[str]) -> tuple[float, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    report_read, report_write = os.pipe()
    started = time.perf_counter()
    launcher = subprocess.Popen(
        [sys.executable, "-S", "-c", _LAUNCHER, str(report_write), *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        pass_fds=(report_write,),
    )
    os.close(report_write)
    _, error = launcher.communicate()
    elapsed = time.perf_counter() - started
    with os.fdopen(report_read, "rb") as report:
        peak_kb = report.read()
    if launcher.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{error.decode(errors='replace')}")
    return elapsed, int(peak_kb) * 1024 / MB


# Our operations and the function each one calls; "start-up:OPERATION" only imports it.
OURS = {"encrypt": "write_encrypted_zip", "verify": "verify_archive", "extract": "extract_archive"}


def child(operation: str, source: str, target: str) -> None:
    """Body of one measured child process."""
    if operation == "pyzipper":
        import pyzipper

        with pyzipper.AESZipFile(target, "w", compression=pyzipper.ZIP_DEFLATED) as archive:
            archive.setpassword(PASSWORD.encode())
            archive.setencryption(pyzipper.WZ_AES, nbits=256)
            archive.write(source, "file-001")
        return
    import encryption

    function = getattr(encryption, OURS[operation.removeprefix("start-up:")])
    if operation == "encrypt":
        function(target, [source], PASSWORD)
    elif operation == "verify":
        function(source, PASSWORD)
    elif operation == "extract":
        function(source, target, PASSWORD)


def run_zip64(gigabytes: float) -> None:
    """One entry over 4 GiB: Zip64 for real, written, verified by us and by 7-Zip."""
    seven = shutil.which("7z")
    ours = [sys.executable, str(Path(__file__).resolve()), "--child"]
    with tempfile.TemporaryDirectory(prefix="bench-zip64-") as folder:
        source, archive = Path(folder) / "big.bin", Path(folder) / "big.zip"
        make_random(source, int(gigabytes * (1 << 30)))
        size = source.stat().st_size / MB
        print(f"\nZip64: one entry of {size:.0f} MB")
        steps = [("ours encrypt", [*ours, "encrypt", str(source), str(archive)])]
        steps.append(("ours verify (password)", [*ours, "verify", str(archive), ""]))
        if seven:
            steps.append(("7z t our archive", [seven, "t", f"-p{PASSWORD}", str(archive)]))
        for label, command in steps:
            seconds, peak = measure(command)
            print(f"{label:24} {seconds:8.2f} s {size / seconds:8.0f} MB/s {peak:8.1f} MB peak")


def run(size_mb: int, with_pyzipper: bool, repeat: int) -> None:
    seven = shutil.which("7z")
    ours = [sys.executable, str(Path(__file__).resolve()), "--child"]
    start_up = {
        operation: measure([*ours, f"start-up:{operation}", "", ""], repeat=max(3, repeat))[0]
        for operation in OURS
    }
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-zip-") as folder:
        work = Path(folder)
        inputs = {"csv": work / "people.csv", "random": work / "random.bin"}
        make_csv(inputs["csv"], size_mb * MB)
        make_random(inputs["random"], size_mb * MB)
        for kind, source in inputs.items():
            size = source.stat().st_size
            archive = work / f"ours-{kind}.zip"

            def record(label, command, output=None, kind=kind, size=size) -> None:
                seconds, peak = measure(command, output, repeat)
                packed = output.stat().st_size / MB if output and output.is_file() else None
                operation = label.split()[1] if label.startswith("ours ") else None
                net = size / MB / (seconds - start_up[operation]) if operation else None
                rows.append((kind, label, seconds, size / MB / seconds, net, peak, packed))

            record("ours encrypt", [*ours, "encrypt", str(source), str(archive)], archive)
            record("ours verify (password)", [*ours, "verify", str(archive), ""])
            extracted = work / f"x-{kind}"
            record("ours extract", [*ours, "extract", str(archive), str(extracted)], extracted)
            shutil.rmtree(extracted)
            if with_pyzipper:
                other = work / f"pyzipper-{kind}.zip"
                record("pyzipper encrypt", [*ours, "pyzipper", str(source), str(other)], other)
                other.unlink()
            if seven is None:
                print("7z not installed: 7-Zip rows skipped", file=sys.stderr)
                continue
            for level in (1, 5):
                other = work / f"7z-{kind}-{level}.zip"
                command = [seven, "a", "-tzip", "-mem=AES256", f"-mx={level}", f"-p{PASSWORD}"]
                record(f"7z a -mx={level}", [*command, str(other), str(source)], other)
            record("7z t (password)", [seven, "t", f"-p{PASSWORD}", str(other)])
            record("7z t our archive", [seven, "t", f"-p{PASSWORD}", str(archive)])
    times = ", ".join(f"{operation} {seconds:.3f} s" for operation, seconds in start_up.items())
    print(f"\n{size_mb} MB per input, {os.cpu_count()} CPUs, median of {repeat} run(s)")
    print(f"our start-up (interpreter, bench script, imports; MB/s net leaves it out): {times}\n")
    print(
        f"{'input':7} {'operation':24} {'seconds':>8} {'MB/s':>8} {'MB/s net':>9} "
        f"{'peak MB':>8} {'zip MB':>8}"
    )
    for kind, label, seconds, rate, net, peak, packed in rows:
        net_text = f"{net:9.0f}" if net is not None else f"{'':9}"
        size = f"{packed:8.1f}" if packed is not None else f"{'':8}"
        print(f"{kind:7} {label:24} {seconds:8.2f} {rate:8.0f} {net_text} {peak:8.1f} {size}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=256)
    parser.add_argument("--pyzipper", action="store_true", help="also time pyzipper's writer")
    parser.add_argument("--zip64-gb", type=float, help="also round-trip one file this large")
    parser.add_argument("--repeat", type=int, default=1, help="runs per operation (median)")
    parser.add_argument("--child", nargs=3, metavar=("OPERATION", "SOURCE", "TARGET"))
    arguments = parser.parse_args()
    if arguments.child:
        child(*arguments.child)
        return
    run(arguments.size_mb, arguments.pyzipper, arguments.repeat)
    if arguments.zip64_gb:
        run_zip64(arguments.zip64_gb)


if __name__ == "__main__":
    main()
