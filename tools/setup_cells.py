"""Writes the hidden first cell of every notebook, the one that installs the course's package on a fresh Colab runtime.

A developer's tool, not part of the package: every notebook carries the same cell, generated here from the `git_url`
of the repository's settings.ini, so that all of them install the same thing from the same place. After forking the
course, change `git_url` in settings.ini and run

    python tools/setup_cells.py

once; `tests/test_setup.py` fails while any notebook's cell disagrees with settings.ini. 21_setup explains what the
cell does for a learner."""
import json, sys
from configparser import ConfigParser
from pathlib import Path


def install_spec(extras=(), git_url=None):
    "The `pip install` argument that installs the course's package from `git_url` (default: settings.ini's), with optional `extras`."
    git_url = git_url or repo_git_url(Path(__file__).resolve().parents[1])
    name = 'collab_course' + (f"[{','.join(extras)}]" if extras else '')
    return f"{name} @ git+{git_url}.git"

_SETUP_CELL = """#| hide
# A fresh runtime (Colab, or a new environment) may not have the course's package yet
import sys, subprocess, importlib.util
_spec = {spec!r}
if importlib.util.find_spec('collab_course') is None:
    if 'google.colab' not in sys.modules:
        raise SystemExit(f"This notebook needs the course's package. Install it with\\n  pip install \\"{{_spec}}\\"\\n"
                         "or, in a clone of the repository, with `pip install -e .`; then restart the kernel.")
    _res = subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', _spec], capture_output=True, text=True)
    if _res.returncode:
        raise SystemExit(f"Installing the course's package failed:\\n{{_res.stderr[-1500:]}}\\nCheck that the runtime "
                         "can reach the internet, or clone the repository and run `pip install -e .` in it.")"""

_EXTRA_CLAUSE = """
for _extra, _module in {extras!r}.items():
    if importlib.util.find_spec(_module) is None:  # an optional library only this notebook uses
        from importlib.metadata import requires
        _need = [r.split(';')[0] for r in requires('collab_course') if f'extra == "{{_extra}}"' in r]
        _res = subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', *_need], capture_output=True, text=True)
        if _res.returncode:
            raise SystemExit(f"Installing {{' '.join(_need)}} failed:\\n{{_res.stderr[-1500:]}}\\n"
                             f"Install it yourself with `pip install {{' '.join(_need)}}` and run this cell again.")"""

def setup_cell_source(extras=None, git_url=None):
    "The source of the hidden first code cell of a notebook; `extras` maps an extra's name to the module it provides."
    src = _SETUP_CELL.format(spec=install_spec(list(extras or {}), git_url))
    return src + _EXTRA_CLAUSE.format(extras=dict(extras)) if extras else src

NOTEBOOK_EXTRAS = {'compare': {'surprise': 'surprise'}, 'published': {'surprise': 'surprise'}}  # part of a notebook's name -> {extra: module it provides}

def repo_git_url(repo='.'):
    "The `git_url` in the settings.ini of the course repository at `repo`."
    cfg = ConfigParser(delimiters=['='])
    if not cfg.read(Path(repo)/'settings.ini', encoding='utf-8'): raise FileNotFoundError(f"no settings.ini in {Path(repo).resolve()}")
    return cfg['DEFAULT']['git_url']

def setup_cell_index(nb):
    "Index of a notebook's setup cell: its first code cell that is not an nbdev `default_exp` line."
    return next((i for i, c in enumerate(nb['cells']) if c['cell_type'] == 'code'
                 and not ''.join(c['source']).startswith('#| default_exp')), None)

def expected_setup_cell(nb_path, git_url):
    "The setup cell that the notebook at `nb_path` should carry."
    extras = next((e for part, e in NOTEBOOK_EXTRAS.items() if part in Path(nb_path).stem), None)
    return setup_cell_source(extras, git_url)

def sync_setup_cells(repo='.'):
    "Rewrite the setup cell of every notebook in `repo`/nbs from settings.ini; returns the names of those that changed."
    git_url, changed = repo_git_url(repo), []
    for path in sorted((Path(repo)/'nbs').glob('[0-9]*.ipynb')):
        nb = json.loads(path.read_text(encoding='utf-8'))
        i, want = setup_cell_index(nb), expected_setup_cell(path, git_url)
        if ''.join(nb['cells'][i]['source']) == want: continue
        nb['cells'][i]['source'] = want.splitlines(keepends=True)
        tmp = path.with_suffix('.ipynb.tmp')  # never leave a half-written notebook behind
        tmp.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')
        tmp.replace(path)
        changed.append(path.name)
    return changed


if __name__ == '__main__':
    changed = sync_setup_cells(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1])
    print(f"rewrote the setup cell of: {', '.join(changed)}" if changed else "every notebook's setup cell is up to date")
