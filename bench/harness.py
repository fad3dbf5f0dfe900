"""What every bench script shares: a quiet start on a stated number of threads, a header that says where and with what
the figures were measured, and the median of several timed runs.

Timing itself is `collab_course.compare.timed` (taught in 14_compare): `secs, result = timed(lambda: ...)`."""
import os, platform, statistics, sys, warnings
from datetime import datetime, timezone
from importlib.metadata import version, PackageNotFoundError
from pathlib import Path

from collab_course.runtime import set_threads
from collab_course.compare import timed

__all__ = ['start', 'environment', 'median_run', 'timed', 'print_winners', 'logged_tune', 'logged_search']


def _version(package):
    try: return version(package)
    except PackageNotFoundError: return None


def cpu_model():
    "The processor's model name, as the operating system reports it."
    cpuinfo = Path('/proc/cpuinfo')
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith('model name'): return line.split(':', 1)[1].strip()
    return platform.processor() or platform.machine()


def environment(threads):
    "One line: when, on which CPU, with how many threads, and the versions of the libraries the figures depend on."
    libs = ', '.join(f"{p} {v}" for p in ('collab_course', 'fastai', 'torch', 'pandas', 'scikit-surprise', 'implicit')
                     if (v := _version(p)) is not None)
    return (f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {cpu_model()}, {os.cpu_count()} cores, {threads} PyTorch "
            f"thread(s); Python {sys.version.split()[0]}; {libs}")


def start(threads=1):
    "Set PyTorch's threads, silence library deprecation notices (printed once per fit otherwise), print `environment`."
    warnings.filterwarnings('ignore')
    set_threads(threads)
    print(environment(threads), flush=True)


def median_run(fn, runs):
    "Call `fn()` `runs` times; return the median seconds and the last result."
    if runs < 1: raise SystemExit(f"--runs must be at least 1, got {runs}")
    results = [timed(fn) for _ in range(runs)]
    return statistics.median(s for s, _ in results), results[-1][1]


def print_winners(found, metric, seconds, name=None, scored_on='valid'):
    "A search script's table of winners, `found` = {label: (settings, inner score, score on `scored_on` per seed, seconds)}, then (given a `name`) the line `name = {label: settings}` that the package's settings are checked against."
    print(f"| model | chosen settings | inner {metric} | {scored_on} {metric}, seed 42 | mean | min | max | {seconds} |")
    print("|---|---|---|---|---|---|---|---|")
    for label, (cfg, inner, runs, secs) in found.items():
        print(f"| {label} | {cfg} | {inner:.4f} | {runs[0]:.4f} | {statistics.mean(runs):.4f} | {min(runs):.4f} | "
              f"{max(runs):.4f} | {secs:.1f} |")
    if name is not None: print(f"\n{name} =", {label: cfg for label, (cfg, *_) in found.items()})


def logged_tune(score, space, rows, metric='inner MSE', **kwargs):
    "`compare.tune` of `score` over `space` on `rows` (`N_CONFIGS` candidates; `kwargs` go to `tune`), printing each candidate as it is scored; returns the table and the winner's settings."
    from collab_course.compare import N_CONFIGS, best_config, tune
    log = lambda row: print(f"  {metric} {row[metric]:.4f}  {row['seconds']:6.1f} s  { {k: row[k] for k in space} }", flush=True)
    table = tune(score, space, rows, N_CONFIGS, metric=metric, log=log, **kwargs)
    return table, best_config(table, space)


def logged_search(label, score, space, rows, allowed, budget, space_name=None, metric='inner RMSE'):
    "`logged_tune` on u1.base's `rows` under a header naming `label`, the space (given a `space_name`) and the `budget`, then the winner."
    from collab_course.compare import N_CONFIGS
    grid = f" from {space_name} = {space}" if space_name else ''
    print(f"\n## {label} on u1.base: {N_CONFIGS} candidates{grid}, budget: {budget}", flush=True)
    table, cfg = logged_tune(score, space, rows, metric, allowed=allowed)
    print(f"chosen: {cfg}  ({metric} {table.loc[0, metric]:.4f}, {table['seconds'].sum():.0f} s of search)", flush=True)
    return table, cfg


if __name__ == "__main__": print(environment(1))  # the header every bench script prints, for this machine
