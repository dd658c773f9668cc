"""The cache key changes when the snippet, an imported helper or a package version changes, and not otherwise."""

from dataclasses import replace

from gradbook.engine.cache_key import RunEnvironment, engine_version, installed_versions, snippet_base_key, snippet_cache_key

ENV = RunEnvironment({"tensorflow": "2.21.0", "keras": "3.15.1", "numpy": "2.4.6", "matplotlib": "3.11.2"}, "0.1.0+abc", "cpu")
HELPER = {"gradbook/probe.py": b"def probe(): return 1\n"}


def full_key(source="x = 1\n", seed=0, environment=ENV, helpers=HELPER):
    return snippet_cache_key(snippet_base_key(source, seed, environment), helpers)


def test_same_inputs_give_the_same_key():
    assert full_key() == full_key()
    assert full_key(helpers=dict(HELPER)) == full_key()


def test_snippet_source_changes_the_key():
    assert full_key(source="x = 2\n") != full_key()


def test_imported_helper_changes_the_key():
    assert full_key(helpers={"gradbook/probe.py": b"def probe(): return 2\n"}) != full_key()
    assert full_key(helpers={}) != full_key()


def test_each_package_version_changes_the_key():
    for package in ENV.package_versions:
        versions = dict(ENV.package_versions, **{package: "99.0"})
        assert full_key(environment=replace(ENV, package_versions=versions)) != full_key(), package


def test_seed_engine_and_device_change_the_key():
    assert full_key(seed=1) != full_key()
    assert full_key(environment=replace(ENV, engine_version="0.1.0+def")) != full_key()
    assert full_key(environment=replace(ENV, device_kind="gpu")) != full_key()


def test_environment_is_read_without_importing_tensorflow():
    import sys

    had_tensorflow = "tensorflow" in sys.modules
    versions = installed_versions()
    assert set(versions) == {"tensorflow", "keras", "numpy", "matplotlib"}
    assert ("tensorflow" in sys.modules) == had_tensorflow
    assert engine_version().startswith("0.1.0+")


def test_every_engine_module_is_classified_as_shaping_results_or_not():
    # A new engine module must be placed consciously: if it changes what a run records, cached runs
    # must be invalidated when it changes; if it only renders or schedules, they must not.
    from gradbook.engine import cache_key

    modules = {path.name for path in cache_key.ENGINE_DIR.glob("*.py")}
    shaping, other = set(cache_key.RESULT_SHAPING_MODULES), set(cache_key.NOT_RESULT_SHAPING_MODULES)
    assert shaping & other == set()
    assert modules == shaping | other


def test_a_package_that_is_not_installed_keys_as_absent_instead_of_crashing():
    # The GPU machine here has JAX and PyTorch but no TensorFlow: its JAX and torch runs must still
    # get keys, and a later install of the package must change them.
    versions = installed_versions(("numpy", "no-such-package-gradbook"))
    assert versions["no-such-package-gradbook"] == "not installed"
    assert versions["numpy"][0].isdigit()
