"""nbconvert's templates compiled once per process: the same pages, without compiling them again."""

from __future__ import annotations

import jinja2
import pytest
from mkdocs_jupyter import nbconvert2
from nbconvert.exporters.templateexporter import TemplateExporter

from gradbook import nbconvert_templates
from gradbook.engine.notebook import notebook_json
from tests.engine.test_notebook import demo


@pytest.fixture
def notebook(tmp_path):
    snippet, run = demo(tmp_path)
    path = tmp_path / "demo.ipynb"
    path.write_text(notebook_json(snippet, run, lambda number: ("light.svg", "dark.svg")))
    return path


def test_a_second_conversion_compiles_nothing_and_renders_the_same_page(notebook, monkeypatch):
    # nbconvert's own way, even where an earlier in-process build of this session installed the cache.
    create = TemplateExporter._create_environment
    monkeypatch.setattr(TemplateExporter, "_create_environment", getattr(create, "unwrapped", create))
    monkeypatch.setattr(nbconvert_templates, "_CACHES", {})
    before = nbconvert2.nb2html(str(notebook))
    compiled = []
    real_compile = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, *a, **k: compiled.append(a[1]) or real_compile(self, *a, **k))
    assert nbconvert_templates.install()
    assert nbconvert2.nb2html(str(notebook)) == before and compiled  # the first exporter compiles
    compiled.clear()
    assert nbconvert2.nb2html(str(notebook)) == before
    assert compiled == []  # the next one, a new exporter with a new environment, reuses the code


def test_environments_that_compile_differently_never_share_code():
    plain, asynchronous = jinja2.Environment(), jinja2.Environment(enable_async=True)
    trimmed = jinja2.Environment(trim_blocks=True)
    caches = [nbconvert_templates.shared_cache(environment) for environment in (plain, asynchronous, trimmed)]
    assert len({id(cache) for cache in caches}) == 3
    assert nbconvert_templates.shared_cache(jinja2.Environment()) is caches[0]
    assert nbconvert_templates.shared_cache(jinja2.Environment(autoescape=jinja2.select_autoescape())) is None


def test_an_edited_template_is_compiled_again():
    templates, cache = {"page": "Hello {{ name }}"}, nbconvert_templates.MemoryBytecodeCache()
    make = lambda: jinja2.Environment(loader=jinja2.DictLoader(templates), bytecode_cache=cache)  # noqa: E731
    assert make().get_template("page").render(name="a") == "Hello a"
    templates["page"] = "Goodbye {{ name }}"
    assert make().get_template("page").render(name="a") == "Goodbye a"
