"Every script of bench/ imports cleanly (its names resolve against the package as it is now) and uses the shared harness."
import ast, importlib, importlib.util, json, re, sys
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


def _committed(script): return (BENCH/'results'/f'{script}.txt').read_text()


def _committed_setting(script, name):
    "The value on the last line `name = ...` of bench/results/<script>.txt."
    line = [l for l in _committed(script).splitlines() if l.startswith(f'{name} = ')][-1]
    return ast.literal_eval(line[len(f'{name} = '):])


@pytest.mark.parametrize('script, name, module, keys', [
    ('tune', 'TUNED', 'compare', 'PEERS'), ('ranking_search', 'RANKING_TUNED', 'implicit', 'RANKERS'),
    ('published_peers', 'PUBLISHED_TUNED', 'published', ['surprise SVD', 'surprise SVDpp'])])
def test_tuned_settings_are_what_the_committed_search_chose(script, name, module, keys):
    "The settings the notebooks fit (`TUNED`, `RANKING_TUNED`, `PUBLISHED_TUNED`) are the last such line of their search's committed run."
    module = importlib.import_module(f'collab_course.{module}')
    committed, fitted = _committed_setting(script, name), getattr(module, name)
    assert committed == fitted, f"bench/results/{script}.txt chose {committed}, the package fits {fitted}"
    expected = sorted(getattr(module, keys) if isinstance(keys, str) else keys)
    assert sorted(fitted) == expected, (sorted(fitted), expected)


@pytest.mark.parametrize('script, name, module', [
    ('published_search', 'SVDPP_SETTINGS', 'published'), ('autorec_search', 'AUTOREC_SETTINGS', 'autorec'),
    ('autorec_search', 'BLEND_WEIGHT', 'autorec')])
def test_course_settings_are_what_the_committed_search_chose(script, name, module):
    "The settings 17_published_splits and 18_autoencoder fit are the last such line of their search's committed run."
    committed, fitted = _committed_setting(script, name), getattr(importlib.import_module(f'collab_course.{module}'), name)
    assert committed == fitted, f"bench/results/{script}.txt chose {committed}, the package fits {fitted}"


def _sentences_citing_bench():
    root = BENCH.parent
    texts = [('README.md', (root/'README.md').read_text())]
    for p in sorted((root/'nbs').glob('*.ipynb')):
        texts += [(p.name, ''.join(c['source'])) for c in json.loads(p.read_text())['cells'] if c['cell_type'] == 'markdown']
    for where, text in texts:
        for sentence in re.split(r'(?<=[.;])\s+|\n\s*\n|\n- |\n(?=\|)', text):  # sentences, bullets, table rows
            for script in set(re.findall(r'bench/(\w+)\.py', sentence)): yield where, script, sentence


def test_figures_quoted_from_a_bench_script_are_in_its_committed_output():
    "A figure (three decimals or more) in a sentence that cites bench/<script>.py must appear in bench/results/<script>.txt."
    wrong = [(where, script, figure) for where, script, sentence in _sentences_citing_bench()
             for figure in re.findall(r'(?<![\w.])\d+\.\d{3,}(?!\d)', sentence) if figure not in _committed(script)]
    assert wrong == [], f"figures quoted from bench scripts but absent from their committed output: {wrong}"
