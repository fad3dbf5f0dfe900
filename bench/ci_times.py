"""Where the test suite's time goes: run the tests once and print the slowest groups, the wall time, and the CPU time
the whole machine was busy meanwhile.

The tests run as README's test command runs them (`pytest -q -rs -n 2 tests`, or the paths and options given after
`--`). Each test's seconds come from the suite's `--durations-json` option and are summed by scheduling group (a
notebook, or a test file), the unit `tests/conftest.py` orders longest first. Busy CPU is read from /proc/stat before
and after, so it counts every process on the machine: run it on an otherwise quiet machine. With two workers kept
busy, busy CPU / wall approaches 2.0.

    python bench/ci_times.py [--top 20] [--update] [-- pytest args]

`--update` rewrites `tests/durations.json`, the table the suite's order comes from, with this run's seconds.
"""
import argparse, json, os, subprocess, sys, tempfile, time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tests'))
from conftest import DURATIONS, schedule_group  # the suite's own grouping, so the table and the order agree


def busy_cpu_seconds():
    "Seconds of CPU time the whole machine has spent busy since boot (all cores, /proc/stat)."
    fields = [int(v) for v in Path('/proc/stat').read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf('SC_CLK_TCK')  # guest time is already inside user time


def main(top, update, pytest_args):
    pytest_args = pytest_args or ['-q', '-rs', '-n', '2', 'tests']
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / 'durations.json'
        cmd = [sys.executable, '-m', 'pytest', *pytest_args, '--durations-json', str(out)]
        print('$', ' '.join(cmd), flush=True)
        cpu0, t0 = busy_cpu_seconds(), time.perf_counter()
        code = subprocess.call(cmd, cwd=ROOT)
        wall, cpu = time.perf_counter() - t0, busy_cpu_seconds() - cpu0
        seconds = json.loads(out.read_text()) if out.exists() else {}
    groups = {}
    for nodeid, secs in seconds.items(): groups[schedule_group(nodeid)] = groups.get(schedule_group(nodeid), 0.0) + secs
    ranked = sorted(groups.items(), key=lambda kv: -kv[1])
    print(f"\n{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores; pytest exit status {code}\n")
    print('| group | seconds |\n|---|---|')
    for name, secs in ranked[:top]: print(f"| {name.replace('tests/test_notebooks.py::test_notebook', 'notebook ')} | {secs:.1f} |")
    rest = sum(s for _, s in ranked[top:])
    if rest: print(f"| {len(ranked) - top} more groups | {rest:.1f} |")
    total = sum(groups.values())
    print(f"\n{len(seconds)} tests; sum of test seconds {total:.0f} s; wall {wall:.0f} s ({wall / 60:.1f} min); "
          f"busy CPU {cpu:.0f} s; busy CPU / wall {cpu / wall:.2f}")
    if update and code == 0:
        DURATIONS.write_text(json.dumps({k: round(v, 1) for k, v in sorted(groups.items())}, indent=1) + '\n')
        print(f"wrote {DURATIONS.relative_to(ROOT)}")
    elif update: print(f"not writing {DURATIONS.relative_to(ROOT)}: the run failed")
    return code


if __name__ == '__main__':
    argv = sys.argv[1:]
    extra = argv[argv.index('--') + 1:] if '--' in argv else []
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--top', type=int, default=20, help='how many groups to list')
    p.add_argument('--update', action='store_true', help='rewrite tests/durations.json from this run')
    args = p.parse_args(argv[:argv.index('--')] if '--' in argv else argv)
    sys.exit(main(args.top, args.update, extra))
