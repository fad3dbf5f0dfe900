"""The package's layout follows the order of the notebooks.

Every generated module marks, with `# %% ../nbs/NN_name.ipynb`, which notebook each of its cells came from. From those
markers this test knows which notebook exports every name, and checks that:

- a notebook only imports names exported by itself or an earlier notebook;
- a module only imports names exported by the same or an earlier notebook than the cell that imports them;
- each module is taught by one notebook (`models`, the chapter's models gathered d2l-style, is the one exception);
- no module holds a single function and nothing else (a module made only to give a notebook a `default_exp`).

The one exception to that order: the appendix modules the chapter needs from its first notebook (`runtime` and
`provision` for setting up, `loaders` for `collab_dls`, `yardsticks` for what every run is set beside, `lookups` for
the messages a mistyped title or a bad argument gets) are explained last but used from the start,
like fastbook's `setup_book()`, so importing them is allowed everywhere. `exercises` is used the same way by the
questionnaire and explained in the notebook after it, so that no answer is on the questionnaire's page."""
import ast, json, re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PKG, NBS = ROOT/'collab_course', ROOT/'nbs'
INFRASTRUCTURE = {'runtime', 'provision', 'loaders', 'yardsticks', 'lookups', 'exercises'}   # used before the notebook that explains them
MULTI_NOTEBOOK = {'models'}               # gathered from several notebooks on purpose (its docstring says so)
MARKER = re.compile(r'^# %% \.\./nbs/(?P<nb>(?P<num>\d+)_[^/\s]+)\.ipynb\b')


def _bound_names(stmt):
    "Names a top-level statement binds in its module (looking inside if/try/with blocks, not inside functions)."
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): return [stmt.name]
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return [a.asname or a.name.split('.')[0] for a in stmt.names if a.name != '*']
    if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    names = []
    for block in ('body', 'orelse', 'finalbody'):
        for s in getattr(stmt, block, []): names += _bound_names(s)
    for h in getattr(stmt, 'handlers', []):
        for s in h.body: names += _bound_names(s)
    return names


def _parse_module(path):
    "For a generated module: its cells as (notebook name, notebook number, first line, last line) and its syntax tree."
    lines = path.read_text(encoding='utf-8').splitlines()
    starts = [(i + 1, m['nb'], int(m['num'])) for i, line in enumerate(lines) if (m := MARKER.match(line))]
    cells = [(nb, num, start, (starts[j + 1][0] - 1) if j + 1 < len(starts) else len(lines))
             for j, (start, nb, num) in enumerate(starts)]
    return cells, ast.parse('\n'.join(lines))


def _cell_at(cells, lineno):
    return next(((nb, num) for nb, num, lo, hi in cells if lo <= lineno <= hi), (None, None))


def _load_modules():
    "{module: {'cells', 'tree', 'names': {name: (notebook, number) of its last top-level binding}, 'all'}}"
    mods = {}
    for path in sorted(PKG.glob('*.py')):
        cells, tree = _parse_module(path)
        if not cells: continue  # not generated from a notebook (__init__, _modidx)
        names, all_ = {}, []
        for stmt in tree.body:
            nb = _cell_at(cells, stmt.lineno)
            if nb[0] is None:  # nbdev's `# %% auto` cell: the module's __all__
                if isinstance(stmt, ast.Assign) and any(getattr(t, 'id', '') == '__all__' for t in stmt.targets):
                    all_ = ast.literal_eval(stmt.value)
                continue
            for name in _bound_names(stmt): names[name] = nb  # the last binding is the one an import gets
        mods[path.stem] = dict(cells=cells, tree=tree, names=names, all=all_)
    return mods


MODULES = _load_modules()
NOTEBOOKS = {p.stem: int(p.stem.split('_')[0]) for p in sorted(NBS.glob('[0-9]*.ipynb'))}


def _imports(tree, package_relative=False):
    "(line, module, names or None for a whole-module import) for every import of a collab_course module in `tree`."
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ''
            if package_relative and node.level == 1: yield node.lineno, mod.split('.')[0], [a.name for a in node.names]
            elif node.level == 0 and mod.startswith('collab_course.'):
                yield node.lineno, mod.split('.')[1], [a.name for a in node.names]
            elif node.level == 0 and mod == 'collab_course':  # from collab_course import data
                for a in node.names: yield node.lineno, a.name, None
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith('collab_course.'): yield node.lineno, a.name.split('.')[1], None


def _later_names(importer_num, mod, names):
    "The (name, notebook) pairs among `names` imported from `mod` that a notebook later than `importer_num` exports."
    info = MODULES[mod]
    if names is None or names == ['*']:  # the whole module, or all of its public names
        wanted = info['all'] if names == ['*'] else []
        if names is None:  # a whole-module import needs the module to exist by then
            first = min(info['cells'], key=lambda c: c[1])
            return [('(the module)', first[0])] if first[1] > importer_num else []
    else: wanted = names
    return [(n, info['names'][n][0]) for n in wanted if n in info['names'] and info['names'][n][1] > importer_num]


def _notebook_code(path):
    "The notebook's code cells as Python, with IPython magics and shell lines blanked so that `ast` can read them."
    cells = [c for c in json.loads(path.read_text(encoding='utf-8'))['cells'] if c['cell_type'] == 'code']
    for c in cells:
        src = ''.join(c['source'])
        yield '\n'.join('' if l.lstrip().startswith(('%', '!')) else l for l in src.splitlines())


def test_markers_found():
    "The markers this test relies on are really there: the modules taught by the first notebooks are found."
    assert MODULES, f"no module in {PKG} has `# %% ../nbs/...` markers: run nbdev-export"
    assert 'data' in MODULES and 'runtime' in MODULES, f"modules found: {sorted(MODULES)}"


def test_every_module_comes_from_an_existing_notebook():
    stale = {mod: sorted({c[0] for c in info['cells']} - set(NOTEBOOKS)) for mod, info in MODULES.items()}
    stale = {m: nbs for m, nbs in stale.items() if nbs}
    assert not stale, "modules generated from notebooks that no longer exist (delete the module, or re-export it " \
                      f"from the notebook that now teaches it, then run nbdev-export): {stale}"


@pytest.mark.parametrize('nb', sorted(NOTEBOOKS), ids=str)
def test_notebook_imports_only_earlier_notebooks(nb):
    "(a) A notebook imports names exported by itself or an earlier notebook (runtime and provision excepted)."
    num, problems = NOTEBOOKS[nb], []
    for code in _notebook_code(NBS/f'{nb}.ipynb'):
        try: tree = ast.parse(code)
        except SyntaxError: continue  # not Python (a %%bash cell, say): imports nothing from the package
        for _, mod, names in _imports(tree):
            if mod in INFRASTRUCTURE: continue
            if mod not in MODULES:
                problems.append(f"imports from collab_course.{mod}, which no notebook exports (a module that was moved or "
                                f"deleted: import the names from the module that now holds them)")
                continue
            missing = [n for n in names or [] if n != '*' and n not in MODULES[mod]['names']]
            if missing: problems.append(f"imports {missing} from collab_course.{mod}, which does not define them "
                                        f"(moved to another module? import them from there)")
            for name, src in _later_names(num, mod, names):
                problems.append(f"imports {name} from collab_course.{mod}, which the later notebook {src} exports: move "
                                f"that cell from {src} to {nb} or an earlier notebook, or stop using it here")
    assert not problems, f"{nb}:\n  " + '\n  '.join(problems)


@pytest.mark.parametrize('mod', sorted(MODULES), ids=str)
def test_module_imports_only_earlier_notebooks(mod):
    "(b) A cell of a module imports names exported by the same or an earlier notebook (runtime and provision excepted)."
    info, problems = MODULES[mod], []
    for line, other, names in _imports(info['tree'], package_relative=True):
        nb, num = _cell_at(info['cells'], line)
        if other in INFRASTRUCTURE or nb is None: continue
        if other not in MODULES:
            problems.append(f"the cell from {nb} imports from .{other}, which no notebook exports")
            continue
        for name, src in _later_names(num, other, names):
            problems.append(f"the cell from {nb} imports {name} from .{other}, which the later notebook {src} exports: "
                            f"move that cell of {src} to {nb} or earlier, or move this cell to a notebook after {src}")
    assert not problems, f"collab_course/{mod}.py:\n  " + '\n  '.join(problems)


@pytest.mark.parametrize('mod', sorted(MODULES), ids=str)
def test_one_notebook_per_module(mod):
    "(c) Each module is taught by one notebook; `models` gathers the chapter's models from several on purpose."
    if mod in MULTI_NOTEBOOK: return
    nbs = sorted({c[0] for c in MODULES[mod]['cells']}, key=lambda n: NOTEBOOKS.get(n, 0))
    assert len(nbs) == 1, (f"collab_course/{mod}.py is exported by {len(nbs)} notebooks ({', '.join(nbs)}): keep it in "
                           f"{nbs[0]} and give the cells of {', '.join(nbs[1:])} a module of their own "
                           f"(`#| default_exp <name>`), or move them into {nbs[0]}")


@pytest.mark.parametrize('mod', sorted(MODULES), ids=str)
def test_no_single_function_module(mod):
    "(d) A module holds more than one function: a module made only to give a notebook a `default_exp` is not wanted."
    body = [s for s in MODULES[mod]['tree'].body if not isinstance(s, (ast.Import, ast.ImportFrom, ast.Expr))]
    public = [s for s in body if not (isinstance(s, ast.Assign) and any(getattr(t, 'id', '') == '__all__' for t in s.targets))]
    funcs = [s for s in public if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
    nbs = sorted({c[0] for c in MODULES[mod]['cells']})
    assert not (len(public) == 1 and len(funcs) == 1), (
        f"collab_course/{mod}.py holds only the function {funcs[0].name if funcs else '?'} (from {', '.join(nbs)}): keep "
        f"it as a local function in the notebook (drop the notebook's `#| default_exp` line if it then exports nothing), "
        f"or export it into the module of the notebook whose topic it belongs to")


def _package_modules():
    return sorted(p for p in PKG.glob('*.py') if p.name not in ('__init__.py', '_modidx.py'))


@pytest.mark.parametrize('path', _package_modules(), ids=lambda p: p.stem)
def test_no_module_imports_another_modules_private_name(path):
    "A name starting with `_` is a module's own business: another module that needs it should get a public name."
    private = [f"{node.module}.{a.name}" for node in ast.walk(ast.parse(path.read_text()))
               if isinstance(node, ast.ImportFrom) and (node.level or (node.module or '').startswith('collab_course'))
               for a in node.names if a.name.startswith('_')]
    assert private == [], f"{path.name} imports private names of other modules: {private}"


def _uses_of(attr, tree, where='<module>'):
    "The names of the innermost functions (or `<module>`) in which `.attr` appears."
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)): yield from _uses_of(attr, node, node.name)
        else:
            if isinstance(node, ast.Attribute) and node.attr == attr: yield where
            yield from _uses_of(attr, node, where)


def test_fit_one_cycle_only_in_the_recipe():
    "The course trains in one place, `training.fit_learner`; the chapter notebooks write `fit_one_cycle` out, the package does not."
    places = sorted({f"{path.relative_to(ROOT)}:{fn}" for path in _package_modules() + sorted((ROOT/'bench').glob('*.py'))
                     for fn in _uses_of('fit_one_cycle', ast.parse(path.read_text()))})
    assert places == ['collab_course/training.py:fit_learner'], f"fit_one_cycle is called outside training.fit_learner: {places}"
