"Every script of bench/ imports cleanly (its names resolve against the package as it is now) and uses the shared harness."
import importlib.util, re, sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[1]/'bench'
SCRIPTS = sorted(p for p in BENCH.glob('*.py') if p.name != 'harness.py')


@pytest.fixture(autouse=True)
def bench_on_path(monkeypatch): monkeypatch.syspath_prepend(str(BENCH))


@pytest.mark.parametrize('path', SCRIPTS, ids=lambda p: p.stem)
def test_script_imports_and_runs_nothing_on_import(path, capsys):
    spec = importlib.util.spec_from_file_location(f'bench_{path.stem}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the work happens under `if __name__ == '__main__'`
    assert callable(getattr(module, 'main', None)), f"{path.name} has no main()"
    assert capsys.readouterr().out == '', f"{path.name} printed on import"


@pytest.mark.parametrize('path', [p for p in SCRIPTS if p.name != 'ci_times.py'], ids=lambda p: p.stem)
def test_script_uses_the_harness(path):
    assert 'from harness import' in path.read_text(), f"{path.name} does not start through bench/harness.py"


def test_harness_environment_and_median():
    sys.path.insert(0, str(BENCH))
    import harness
    line = harness.environment(1)
    for part in ('UTC', 'cores', '1 PyTorch thread', 'fastai', 'torch'): assert part in line, line
    calls = []
    secs, last = harness.median_run(lambda: calls.append(1) or len(calls), 3)
    assert (len(calls), last) == (3, 3) and secs >= 0, (calls, last, secs)


def test_every_script_quoted_has_its_output_committed():
    "A figure quoted from a bench script must be traceable: its last run's output lives in bench/results/<script>.txt."
    root = BENCH.parent
    texts = [(root/'README.md').read_text()] + [p.read_text() for p in sorted((root/'nbs').glob('*.ipynb'))]
    quoted = sorted({m for t in texts for m in re.findall(r'bench/(\w+)\.py', t)})
    missing = [s for s in quoted if not (BENCH/'results'/f'{s}.txt').is_file()]
    assert missing == [], f"bench scripts quoted without committed output in bench/results/: {missing}"
