"""Training on a busy machine: the chapter's DotProductBias with and without one competing CPU-bound process.

For each thread setting (the course's `setup_course()`, i.e. 1 thread, and PyTorch's default of one per core), trains
DotProductBias (50 factors, `fit_one_cycle(1, 5e-3, wd=0.1)`, bs 64, seed-42 split) several times on a quiet machine
and several times while another process spins on one core, all in one run, and prints the median seconds and the
slowdown ratio busy/quiet. Then the same for the command line: `collab-course train --epochs 1` in a new process,
with `--threads 1` (its default) and with one thread per core; those seconds include starting Python and importing
fastai. Target: at most 1.5x with one thread, on both paths.

    python bench/busy_machine.py [--runs 3] [--epochs 1]
"""
import argparse, os, statistics, subprocess, sys, tempfile, time
from functools import partial
from pathlib import Path

from collab_course.runtime import set_threads
from collab_course.data import get_movielens, load_ratings
from collab_course.loaders import collab_dls
from collab_course.training import fit_learner, make_model
from harness import start, timed


def train_seconds(dls, epochs):
    "Seconds for one seeded training run through the course's recipe (building the model included: a few milliseconds)."
    return timed(lambda: fit_learner(dls, partial(make_model, 'dotbias'), epochs, 5e-3, wd=0.1, seed=42, quiet=True))[0]


class Spinner:
    "Another process that keeps one core busy (a pure-Python loop) while the block runs."
    def __enter__(self):
        self.proc = subprocess.Popen([sys.executable, '-c', 'while True: pass'])
        time.sleep(0.5)
        return self
    def __exit__(self, *exc):
        self.proc.kill(); self.proc.wait()


def cli_seconds(epochs, threads, folder):
    "Wall seconds of `collab-course train` in a new process, as a learner's shell runs it."
    exe = Path(sys.executable).parent / 'collab-course'
    return timed(lambda: subprocess.run([str(exe), 'train', '--epochs', str(epochs), '--threads', str(threads), '--force',
                                         '--out', str(Path(folder) / 'model.pkl')], check=True, capture_output=True))[0]


def compare(label, threads, measure, runs):
    "Print one table row: the median of `runs` quiet and `runs` busy measurements, alternated."
    quiet, busy = [], []
    for _ in range(runs):  # alternate, so a slow spell of the machine hits both alike
        quiet.append(measure(threads))
        with Spinner(): busy.append(measure(threads))
    q, b = statistics.median(quiet), statistics.median(busy)
    print(f"| {label} | {q:.2f} | {b:.2f} | {b / q:.2f}x |", flush=True)


def main(runs, epochs):
    start(1)
    dls = collab_dls(load_ratings(get_movielens()), item_name='title', bs=64, seed=42)
    train_seconds(dls, 1)  # warm-up: first-call costs are not what we measure
    print(f"{os.cpu_count()} cores; DotProductBias, fit_one_cycle({epochs}, 5e-3, wd=0.1), median of {runs} runs\n")
    print("| threads | quiet s | with one busy process s | slowdown |")
    print("|---|---|---|---|")
    settings = [('1 (setup_course)', 1), (f'{os.cpu_count()} (PyTorch default)', os.cpu_count())]
    def in_process(threads):
        set_threads(threads)
        return train_seconds(dls, epochs)
    for label, threads in settings: compare(label, threads, in_process, runs)
    set_threads(1)
    print(f"\n`collab-course train --epochs {epochs} --threads N` in a new process, median of {runs} runs\n")
    print("| --threads | quiet s | with one busy process s | slowdown |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for label, threads in [('1 (the default)', 1), (str(os.cpu_count()), os.cpu_count())]:
            compare(label, threads, lambda n: cli_seconds(epochs, n, folder), runs)


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--runs', type=int, default=3)
    p.add_argument('--epochs', type=int, default=1)
    args = p.parse_args()
    main(args.runs, args.epochs)
