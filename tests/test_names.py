"""Notebooks are named, not numbered: each title carries its file's number, every link to a notebook resolves and reads
as the file's name, and no text cites a notebook by a bare number (numbers change when notebooks move; names say what
is meant)."""
import json, re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
NBS = sorted((ROOT/'nbs').glob('[0-9]*.ipynb'))
LINK = re.compile(r'\[([^\]]*)\]\((?:nbs/)?(\d\d_[A-Za-z0-9_]+)\.ipynb(?:#[^)]*)?\)')
BARE = re.compile(r'\b[Nn]otebooks? \d{1,2}\b')


def _cells(path): return json.loads(path.read_text())['cells']


def _texts():
    "(name, text) of every notebook (markdown and code) and of every other file that talks about notebooks."
    for path in NBS: yield path.name, '\n'.join(''.join(c['source']) for c in _cells(path))
    others = [ROOT/'README.md', ROOT/'settings.ini', ROOT/'pyproject.toml', *sorted((ROOT/'bench').glob('*.py')), *sorted((ROOT/'tools').glob('*.py')),
              *sorted(p for p in (ROOT/'tests').glob('*.py') if p.name != Path(__file__).name)]
    for path in others: yield str(path.relative_to(ROOT)), path.read_text()


@pytest.mark.parametrize('path', NBS, ids=lambda p: p.stem)
def test_title_carries_the_file_number(path):
    titles = [line for c in _cells(path) if c['cell_type'] == 'markdown'
              for line in ''.join(c['source']).splitlines() if line.startswith('# ')]
    assert titles and titles[0].startswith(f"# {path.name[:2]} · "), (path.name, titles[:1])


def test_every_notebook_link_resolves_and_reads_as_its_name():
    names = {p.stem for p in NBS}
    bad = [f"{where}: [{label}]({target}.ipynb)" for where, text in _texts() for label, target in LINK.findall(text)
           if target not in names or label.strip('`') != target]
    assert bad == [], "links to a missing notebook, or whose text is not the notebook's name:\n" + '\n'.join(bad)


def test_no_notebook_cited_by_a_bare_number():
    found = [f"{where}: {m.group(0)!r}" for where, text in _texts() for m in BARE.finditer(text)]
    assert found == [], "cite a notebook by its name, with a link where it is Markdown:\n" + '\n'.join(found)


def test_folded_check_cells_carry_both_fold_markers():
    "A cell titled with Colab's `#@title` is folded in Colab (cellView form) and in JupyterLab (source_hidden)."
    folded = 0
    for path in sorted((ROOT/'nbs').glob('[0-9]*.ipynb')):
        for i, cell in enumerate(json.loads(path.read_text(encoding='utf-8'))['cells']):
            src = ''.join(cell['source'])
            if cell['cell_type'] != 'code' or not src.startswith('#@title'): continue
            folded += 1
            meta = cell.get('metadata', {})
            assert (meta.get('cellView'), meta.get('jupyter', {}).get('source_hidden')) == ('form', True), (path.name, i, meta)
            assert src.split('\n', 1)[0].startswith('#@title Check: '), (path.name, i, src.split('\n', 1)[0])
    assert folded >= 14, folded
