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
import sys, subprocess, importlib.util, re
_spec = SPEC
class SetupStop(Exception):
    "Stops the notebook with this message only (IPython shows what `_render_traceback_` returns, no traceback)."
    def _render_traceback_(self): return str(self).splitlines()
def _pip_install(*args, what):
    "Install `args` with pip; on failure stop with pip's key lines and what most likely went wrong."
    res = subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', *args], capture_output=True, text=True)
    if res.returncode == 0: return
    err = re.sub(r'\\x1b\\[[0-9;]*m', '', res.stderr)  # no colour codes
    key = [l.strip() for l in err.splitlines() if re.match(r'\\s*(ERROR|error|fatal)\\b', l) or 'Could not' in l]
    detail = '\\n'.join(dict.fromkeys(key or err.strip().splitlines()[-8:]))  # each line once, in order
    if re.search(r'could not read Username|Repository not found|Authentication failed|does not appear to be a git', err, re.I):
        cause = (f"The repository in `_spec` ({_spec.split('git+')[-1]}) is missing, private or misspelt: check the "
                 "address, or install from a clone of the repository with `pip install -e .`.")
    elif re.search(r'resolve host|Failed to connect|name resolution|Network is unreachable|timed out|NewConnectionError', err, re.I):
        cause = "The runtime could not reach the internet: check its connection and run this cell again."
    else: cause = f"Install it yourself with `pip install {' '.join(args)}` and run this cell again."
    raise SetupStop(f"Installing {what} failed:\\n{detail}\\n{cause}")
if importlib.util.find_spec('collab_course') is None:
    if 'google.colab' not in sys.modules:
        raise SetupStop(f"This notebook needs the course's package. Install it with\\n  pip install \\"{_spec}\\"\\n"
                        "or, in a clone of the repository, with `pip install -e .`; then restart the kernel.")
    _pip_install(_spec, what="the course's package")"""

_EXTRA_CLAUSE = """
for _extra, _module in EXTRAS.items():
    if importlib.util.find_spec(_module) is None:  # an optional library only this notebook uses
        from importlib.metadata import requires
        _pip_install(*[r.split(';')[0] for r in requires('collab_course') if f'extra == "{_extra}"' in r], what=_extra)"""

def setup_cell_source(extras=None, git_url=None):
    "The source of the hidden first code cell of a notebook; `extras` maps an extra's name to the module it provides."
    src = _SETUP_CELL.replace('SPEC', repr(install_spec(list(extras or {}), git_url)), 1)
    return src + _EXTRA_CLAUSE.replace('EXTRAS', repr(dict(extras)), 1) if extras else src

NOTEBOOK_EXTRAS = {'compare': {'surprise': 'surprise'}, 'published': {'surprise': 'surprise'}, 'ranking_model': {'implicit': 'implicit'}}  # part of a notebook's name -> {extra: module it provides}

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
