"""Training on a busy machine: the chapter's DotProductBias with and without one competing CPU-bound process.

For each thread setting (the course's `setup_course()`, i.e. 1 thread, and PyTorch's default of one per core), trains
DotProductBias (50 factors, `fit_one_cycle(1, 5e-3, wd=0.1)`, bs 64, seed-42 split) several times on a quiet machine
and several times while another process spins on one core, all in one run, and prints the median seconds and the
slowdown ratio busy/quiet. Target: at most 1.5x with `setup_course()`.

    python bench/busy_machine.py [--runs 3] [--epochs 1]
"""
import argparse, os, statistics, subprocess, sys, time

import torch
from collab_course.setup import setup_course, set_threads
setup_course(verbose=False)
from fastai.learner import Learner
from fastai.losses import MSELossFlat
from fastai.torch_core import set_seed

from collab_course.data import collab_dls, get_movielens, load_ratings
from collab_course.models import DotProductBias


def train_seconds(dls, epochs):
    "Seconds for one seeded training run."
    set_seed(42, reproducible=True)
    learn = Learner(dls, DotProductBias(len(dls.classes['user']), len(dls.classes['title']), 50), loss_func=MSELossFlat())
    start = time.perf_counter()
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs, 5e-3, wd=0.1)
    return time.perf_counter() - start


class Spinner:
    "Another process that keeps one core busy (a pure-Python loop) while the block runs."
    def __enter__(self):
        self.proc = subprocess.Popen([sys.executable, '-c', 'while True: pass'])
        time.sleep(0.5)
        return self
    def __exit__(self, *exc):
        self.proc.kill(); self.proc.wait()


def main(runs, epochs):
    dls = collab_dls(load_ratings(get_movielens()), item_name='title', bs=64, seed=42)
    train_seconds(dls, 1)  # warm-up: first-call costs are not what we measure
    print(f"{os.cpu_count()} cores; DotProductBias, fit_one_cycle({epochs}, 5e-3, wd=0.1), median of {runs} runs\n")
    print("| threads | quiet s | with one busy process s | slowdown |")
    print("|---|---|---|---|")
    for label, threads in [('1 (setup_course)', 1), (f'{os.cpu_count()} (PyTorch default)', os.cpu_count())]:
        set_threads(threads)
        quiet, busy = [], []
        for _ in range(runs):  # alternate, so a slow spell of the machine hits both alike
            quiet.append(train_seconds(dls, epochs))
            with Spinner(): busy.append(train_seconds(dls, epochs))
        q, b = statistics.median(quiet), statistics.median(busy)
        print(f"| {label} | {q:.2f} | {b:.2f} | {b / q:.2f}x |", flush=True)
    set_threads(1)


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--runs', type=int, default=3)
    p.add_argument('--epochs', type=int, default=1)
    args = p.parse_args()
    main(args.runs, args.epochs)
