"""Where the package comes from is decided by settings.ini alone: every notebook's hidden setup cell (written by
tools/setup_cells.py), README's badges and install lines agree; and the cell does what 21_setup says it does."""
import json, re, subprocess, sys
from unittest import mock
from configparser import ConfigParser
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from setup_cells import expected_setup_cell, install_spec, repo_git_url, setup_cell_index, setup_cell_source, sync_setup_cells
NOTEBOOKS = sorted((ROOT/'nbs').glob('[0-9]*.ipynb'))
SETUP_CALL = 'from collab_course.runtime import setup_course\nsetup_course('


def _settings():
    cfg = ConfigParser(delimiters=['='])
    cfg.read(ROOT/'settings.ini', encoding='utf-8')
    return cfg['DEFAULT']


def _code_cells(nb): return [''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'code']


def test_git_url_matches_user_and_repo():
    cfg = _settings()
    assert cfg['git_url'] == f"https://github.com/{cfg['user']}/{cfg['repo']}", "settings.ini: git_url disagrees with user/repo"


@pytest.mark.parametrize('nb', NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_setup_cell_comes_from_settings(nb):
    cells = json.loads(nb.read_text(encoding='utf-8'))['cells']
    got = ''.join(cells[setup_cell_index({'cells': cells})]['source'])
    assert got == expected_setup_cell(nb, repo_git_url(ROOT)), (
        f"{nb.name}: its setup cell differs from the one settings.ini gives. Run "
        "`.venv/bin/python tools/setup_cells.py`")


@pytest.mark.parametrize('nb', [p for p in NOTEBOOKS if p.stem != '21_setup'], ids=lambda p: p.stem)
def test_setup_course_called_before_anything_else(nb):
    code = _code_cells(json.loads(nb.read_text(encoding='utf-8')))
    first = next(i for i, s in enumerate(code) if s.startswith('#| hide\n# A fresh runtime'))
    assert code[first + 1].startswith(SETUP_CALL), f"{nb.name}: the code cell after the setup cell must call setup_course()"


def test_setup_cell_installs_the_extra_only_where_needed():
    url = 'https://example.org/a/b'
    assert "collab_course[surprise] @ git+https://example.org/a/b.git" in expected_setup_cell('14_compare.ipynb', url)
    plain = expected_setup_cell('02_dot_product.ipynb', url)
    assert "'collab_course @ git+https://example.org/a/b.git'" in plain and 'surprise' not in plain


def test_readme_badges_and_install_lines_come_from_settings():
    cfg, readme = _settings(), (ROOT/'README.md').read_text(encoding='utf-8')
    gh = cfg['git_url'].removeprefix('https://github.com/')
    badges = re.findall(r'https://colab\.research\.google\.com/github/([^)\s]+)', readme)
    want = {f"{gh}/blob/{cfg['branch']}/nbs/{p.name}" for p in NOTEBOOKS}
    assert set(badges) == want, f"README's Colab badges disagree with settings.ini and nbs/: {set(badges) ^ want}"
    installs = re.findall(r'collab_course(?:\[\w+\])? @ git\+\S+?\.git', readme)
    assert installs, "README shows no install line for the package"
    for line in installs:
        extras = re.findall(r'\[(\w+)\]', line)
        assert line == install_spec(extras, cfg['git_url']), f"README install line {line!r} disagrees with settings.ini"


def test_sync_rewrites_a_stale_cell(tmp_path):
    (tmp_path/'nbs').mkdir()
    (tmp_path/'settings.ini').write_text('[DEFAULT]\ngit_url = https://example.org/me/fork\n')
    stale = {'cells': [{'cell_type': 'code', 'id': 'a', 'metadata': {}, 'outputs': [], 'execution_count': None,
                        'source': ['#| default_exp x']},
                       {'cell_type': 'code', 'id': 'b', 'metadata': {}, 'outputs': [], 'execution_count': None,
                        'source': ['! pip install git+https://github.com/someone/else.git']}],
             'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}
    (tmp_path/'nbs'/'01_x.ipynb').write_text(json.dumps(stale))
    assert sync_setup_cells(tmp_path) == ['01_x.ipynb']
    got = json.loads((tmp_path/'nbs'/'01_x.ipynb').read_text())['cells'][1]['source']
    assert ''.join(got) == setup_cell_source(None, 'https://example.org/me/fork')
    assert sync_setup_cells(tmp_path) == [], "a second sync must change nothing"
    assert [p.name for p in (tmp_path/'nbs').iterdir()] == ['01_x.ipynb'], "no temporary file may be left behind"


def test_setup_cell_does_nothing_where_the_package_is_installed():
    with mock.patch('subprocess.run') as run:
        exec(setup_cell_source({'surprise': 'surprise'}), {})  # the package and its extra are installed here
    assert run.call_count == 0, run.call_args_list


def test_setup_cell_stops_with_the_install_command_off_colab():
    fake = setup_cell_source().replace("find_spec('collab_course')", "find_spec('no_such_package_here')")
    with pytest.raises(Exception, match='pip install') as stop: exec(fake, {})
    assert type(stop.value).__name__ == 'SetupStop', type(stop.value)
    lines = stop.value._render_traceback_()  # what IPython shows instead of a traceback
    assert lines[0] == "This notebook needs the course's package. Install it with", lines


def _failed_install(stderr):
    "The message the setup cell stops with when pip fails with `stderr`."
    scratch = {}
    exec(setup_cell_source(), scratch)  # defines the cell's helpers; installs nothing here
    failed = subprocess.CompletedProcess([], 1, stdout='', stderr=stderr)
    with mock.patch('subprocess.run', return_value=failed), pytest.raises(Exception) as stop:
        scratch['_pip_install'](scratch['_spec'], what="the course's package")
    return '\n'.join(stop.value._render_traceback_())


GIT_PRIVATE = ("  \x1b[1;31merror\x1b[0m: \x1b[1msubprocess-exited-with-error\x1b[0m\n"
               "  fatal: could not read Username for 'https://github.com': No such device or address\n"
               "  \x1b[1;31merror\x1b[0m: \x1b[1msubprocess-exited-with-error\x1b[0m\n")
NO_NETWORK = ("  fatal: unable to access 'https://github.com/x/y.git/': Could not resolve host: github.com\n"
              "ERROR: Failed to build installable wheels\n")


def test_failed_install_names_a_missing_or_private_repository():
    msg = _failed_install(GIT_PRIVATE)
    assert 'missing, private or misspelt' in msg and 'internet' not in msg, msg
    assert "could not read Username" in msg, msg             # git's own words are kept
    assert '\x1b' not in msg, repr(msg)                      # without colour codes
    assert msg.count('subprocess-exited-with-error') == 1, msg  # and each line once


def test_failed_install_names_a_missing_network():
    msg = _failed_install(NO_NETWORK)
    assert 'could not reach the internet' in msg and 'private' not in msg, msg
    assert 'Could not resolve host: github.com' in msg, msg


def test_failed_install_of_anything_else_says_how_to_install_by_hand():
    msg = _failed_install("ERROR: No space left on device\n")
    assert 'ERROR: No space left on device' in msg and 'pip install' in msg, msg
