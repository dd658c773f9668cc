"""The warm worker: fresh state per snippet, failures named and never cached, timeouts, crashes."""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from gradbook.engine import SnippetFailure, SnippetRun, SnippetRunner


@pytest.fixture
def runner(throwaway):
    with SnippetRunner(throwaway.root, throwaway.root / ".cache", timeout=60, workers=1, report=lambda text: None) as runner:
        yield runner


def test_each_snippet_gets_a_fresh_namespace_and_a_clean_process_state(throwaway, runner):
    first = throwaway.snippet("first", """
        import os, sys
        import matplotlib
        leaked = "from first"
        os.chdir("/")
        os.environ["GRADBOOK_LEAK"] = "yes"
        sys.path.insert(0, "/nonexistent")
        matplotlib.rcParams["lines.linewidth"] = 9.0
        open("written.txt", "w").write("x")
        results = {"cwd_was_fresh": not os.path.exists("written.txt.old")}
    """)
    second = throwaway.snippet("second", """
        import os, sys
        import matplotlib
        results = {
            "sees_leaked_name": "leaked" in globals(),
            "sees_env": "GRADBOOK_LEAK" in os.environ,
            "sees_path": "/nonexistent" in sys.path,
            "linewidth": matplotlib.rcParams["lines.linewidth"],
            "sees_file": os.path.exists("written.txt"),
            "name": __name__,
        }
    """)
    assert isinstance(runner.run(first), SnippetRun)
    values = runner.run(second).values
    assert values == {
        "sees_leaked_name": False, "sees_env": False, "sees_path": False,
        "linewidth": 1.5, "sees_file": False, "name": "__main__",
    }
    assert not (throwaway.root / "written.txt").exists()
    assert runner.pool.starts == 1  # one warm worker served both


def test_failure_names_file_and_line_and_is_not_cached(throwaway, runner):
    broken = throwaway.snippet("broken", """
        x = 1
        # %%
        y = x / 0
    """)
    fine = throwaway.snippet("fine", "results = {'ok': 1}\n")
    outcome = runner.run(broken)
    assert isinstance(outcome, SnippetFailure)
    assert (outcome.path, outcome.line) == ("snippets/broken.py", 3)
    assert "ZeroDivisionError" in outcome.message and "y = x / 0" in outcome.details
    assert runner.run(fine).values == {"ok": 1}  # the rest of the build goes on
    runner.executed.clear()
    assert isinstance(runner.run(broken), SnippetFailure)
    assert runner.executed == ["broken"]  # ran again: failures are never cached
    runner.run(fine)
    assert runner.executed == ["broken"]  # while the success was


def test_timeout_kills_and_restarts_the_worker(throwaway, runner):
    hung = throwaway.snippet("hung", '"""\nTimeout: 3\n"""\nimport time\ntime.sleep(600)\n')
    after = throwaway.snippet("after", "results = {'ran': True}\n")
    runner.run(after)
    first_pid = runner.pool.workers[0].pid
    started = time.monotonic()
    outcome = runner.run(hung)
    elapsed = time.monotonic() - started
    assert isinstance(outcome, SnippetFailure) and "timed out after 3 s" in outcome.message
    assert elapsed < 3 + 10  # the timeout, not the sleep
    later = throwaway.snippet("later", "results = {'ran': True}  # new content, so not cached\n")
    assert runner.run(later).values == {"ran": True}
    assert runner.pool.workers[0].pid != first_pid and runner.pool.starts == 2


@pytest.mark.parametrize("death, cause", [
    ("import os\nos._exit(3)\n", "exit code 3"),
    ("import ctypes\nctypes.string_at(0)\n", "SIGSEGV"),
    ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n", "SIGKILL"),  # what the OOM killer sends
])
def test_a_dying_worker_is_named_and_replaced(throwaway, runner, death, cause):
    dying = throwaway.snippet("dying", death)
    after = throwaway.snippet("after", "results = {'ran': True}\n")
    outcome = runner.run(dying)
    assert isinstance(outcome, SnippetFailure)
    assert "worker died" in outcome.message and cause in outcome.message
    assert runner.run(after).values == {"ran": True}


def test_non_finite_published_value_fails_at_the_results_line(throwaway, runner):
    outcome = runner.run(throwaway.snippet("nan", "x = 1\nresults = {'loss': float('nan')}\n"))
    assert isinstance(outcome, SnippetFailure)
    assert outcome.line == 2 and "'loss' is nan" in outcome.message


def test_site_data_is_kept_as_compact_json_and_survives_the_cache(throwaway, runner):
    source = "results = {}\nsite_data = {'grid': [[1, 2.5], [3, 4]], 'name': 'x'}\n"
    outcome = runner.run(throwaway.snippet("grid", source))
    assert isinstance(outcome, SnippetRun), outcome
    assert outcome.data == '{"grid":[[1,2.5],[3,4]],"name":"x"}'
    assert runner.run(throwaway.snippet("grid")).data == outcome.data  # read back from the cache
    assert runner.run(throwaway.snippet("plain", "results = {}\n")).data is None


def test_site_data_that_json_cannot_hold_fails_at_its_line(throwaway, runner):
    outcome = runner.run(throwaway.snippet("bad", "results = {}\nsite_data = {'loss': float('inf')}\n"))
    assert isinstance(outcome, SnippetFailure)
    assert outcome.line == 2 and "site_data" in outcome.message


def test_editing_a_helper_reruns_exactly_the_snippets_that_import_it(throwaway, runner):
    throwaway.write("helpers/scale.py", "FACTOR = 2\n")
    uses = throwaway.snippet("uses", """
        import sys, pathlib
        sys.path.insert(0, str(pathlib.Path(__file__).parent.parent / "helpers"))
        import scale
        results = {"value": scale.FACTOR}
    """)
    plain = throwaway.snippet("plain", "results = {'value': 1}\n")
    assert runner.run(uses).values == {"value": 2}
    runner.run(plain)
    assert runner.run(uses).dependencies == ["helpers/scale.py"]
    runner.executed.clear()
    throwaway.write("helpers/scale.py", "FACTOR = 3\n")
    assert runner.run(uses).values == {"value": 3}  # re-imported afresh in the warm worker
    runner.run(plain)
    assert runner.executed == ["uses"]


def test_seed_override_replaces_the_seed_line(throwaway, runner):
    snippet = throwaway.snippet("seeded", "SEED = 5\nimport numpy as np\nresults = {'seed': SEED, 'draw': float(np.random.rand())}\n")
    own, other = runner.run(snippet), runner.run(snippet, seed=9)
    assert (own.values["seed"], other.values["seed"]) == (5, 9)
    assert own.values["draw"] != other.values["draw"]
    unseeded = throwaway.snippet("unseeded", "results = {}\n")
    outcome = runner.run(unseeded, seed=1)
    assert isinstance(outcome, SnippetFailure) and "SEED" in outcome.message


def test_figures_are_captured_with_title_alt_text_and_cell(throwaway, runner):
    snippet = throwaway.snippet("plot", '''
        """
        Description: A straight line.
        """
        import matplotlib.pyplot as plt
        # %%
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1])
        ax.set_title("Identity")
    ''')
    run = runner.run(snippet)
    (figure,) = run.figures
    assert figure.title == "Identity" and figure.alt == "Identity. A straight line"
    assert figure.cell == 2 and figure.svg.lstrip().startswith("<?xml") and "<dc:date>" not in figure.svg


def test_only_the_snippets_own_seed_draws_its_figures(throwaway, runner):
    snippet = throwaway.snippet("seeded_plot", """
        SEED = 0
        import matplotlib.pyplot as plt
        import numpy as np
        plt.plot(np.random.default_rng(SEED).normal(size=5))
        results = {"seed": SEED}
    """)
    own, same, other = runner.run(snippet), runner.run(snippet, seed=0), runner.run(snippet, seed=1)
    assert len(own.figures) == len(same.figures) == 1
    assert other.figures == [] and other.values == {"seed": 1}  # the claim tests' extra seeds: numbers only


def test_memory_limit_turns_a_runaway_allocation_into_a_named_failure(throwaway):
    with SnippetRunner(throwaway.root, throwaway.root / ".cache", memory_limit_mib=1024, report=lambda t: None) as runner:
        greedy = throwaway.snippet("greedy", "import numpy as np\nx = 1\nbig = np.ones(2**31)  # 16 GiB\n")
        outcome = runner.run(greedy)
        assert isinstance(outcome, SnippetFailure)
        assert outcome.line == 3 and "MemoryError" in outcome.message
        assert runner.run(throwaway.snippet("small", "import numpy as np\nresults = {'n': int(np.ones(1000).sum())}\n")).values == {"n": 1000}


def test_misses_run_side_by_side_on_the_pool_and_a_timeout_stops_only_its_worker(throwaway):
    # Each sleeper waits (up to 120 s) for the other to arrive: they can only meet if they run at once.
    meeting = throwaway.root / "meeting"
    meeting.mkdir()
    sleepers = [
        throwaway.snippet(f"meets_{n}", f"""
            import os, pathlib, time
            (pathlib.Path({str(meeting)!r}) / "{n}").write_text("here")
            other = pathlib.Path({str(meeting)!r}) / "{1 - n}"
            deadline = time.monotonic() + 120
            while not other.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            results = {{"met": other.exists(), "pid": os.getpid(), "n": {n}}}
        """)
        for n in range(2)
    ]
    hung = throwaway.snippet("hung", '"""\nTimeout: 3\n"""\nimport time\ntime.sleep(600)\n')
    with SnippetRunner(throwaway.root, throwaway.root / ".cache", workers=2, report=lambda text: None) as runner:
        outcomes = runner.run_many([(sleepers[0], None), (hung, None), (sleepers[1], None)])
    first, failure, second = outcomes
    assert "timed out after 3 s" in failure.message
    # The second sleeper ran on the worker restarted after the timeout while the first kept waiting.
    assert first.values["met"] and second.values["met"] and first.values["pid"] != second.values["pid"]
    assert (first.values["n"], second.values["n"]) == (0, 1)  # results in request order
    assert runner.executed == ["meets_0", "hung", "meets_1"]


def test_tensorflow_and_jax_workers_give_a_snippet_two_cpu_devices(throwaway, runner):
    # A data-parallel snippet asks for two CPU devices the way a script run alone must, before its
    # backend starts; in a warm worker the backend has started, so the worker must already show two
    # and the snippet's own request must be accepted, not raise.
    tensorflow = throwaway.snippet("two_devices_tensorflow", """
        import tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        results = {"devices": len(tf.config.list_logical_devices("CPU")), "placed": tf.constant(1.0).device}
    """)
    jax = throwaway.snippet("two_devices_jax", """
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        os.environ["XLA_FLAGS"] = os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=2"
        import jax
        results = {"devices": jax.device_count("cpu")}
    """)
    values = runner.run(tensorflow).values
    assert values["devices"] == 2 and values["placed"].endswith("CPU:0")  # everything else stays on one
    assert runner.run(jax).values == {"devices": 2}


def _interval_snippet(throwaway, name: str, backend: str, meeting=None, other: str = ""):
    """A snippet that records when it ran; with `meeting`, it also waits (up to 120 s) for `other`."""
    wait = "" if meeting is None else f"""
        (pathlib.Path({str(meeting)!r}) / "{name}").write_text("here")
        deadline = time.monotonic() + 120
        while not (pathlib.Path({str(meeting)!r}) / "{other}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    """
    return throwaway.snippet(name, f"""
        import os
        os.environ["KERAS_BACKEND"] = "{backend}"
        import pathlib, time
        started = time.time()
        {wait.strip()}
        time.sleep(0.5)
        results = {{"started": started, "ended": time.time(), "met": {meeting is not None and f"(pathlib.Path({str(meeting)!r}) / '{other}').exists()" or "False"}}}
    """)


def test_misses_of_different_backends_run_side_by_side(throwaway):
    # A TensorFlow snippet and a JAX snippet can only meet if the runner runs them at once: the slot
    # limit is shared by every backend's pool, not taken one backend after another.
    meeting = throwaway.root / "meeting"
    meeting.mkdir()
    tensorflow = _interval_snippet(throwaway, "meets_tensorflow", "tensorflow", meeting, "meets_jax")
    jax = _interval_snippet(throwaway, "meets_jax", "jax", meeting, "meets_tensorflow")
    with SnippetRunner(throwaway.root, throwaway.root / ".cache", workers=2, report=lambda text: None) as runner:
        first, second = runner.run_many([(tensorflow, None), (jax, None)])
    assert first.values["met"] and second.values["met"]


def test_one_slot_runs_one_snippet_at_a_time_even_for_two_callers_and_two_backends(throwaway):
    # `mkdocs serve` may start a second background round while the first runs: the slot limit holds
    # across calls, so a TensorFlow and a JAX snippet asked for at once still take turns.
    snippets = [_interval_snippet(throwaway, f"alone_{backend}", backend) for backend in ("tensorflow", "jax")]
    with SnippetRunner(throwaway.root, throwaway.root / ".cache", workers=1, report=lambda text: None) as runner:
        with ThreadPoolExecutor(max_workers=2) as callers:
            outcomes = list(callers.map(runner.run, snippets))
    intervals = sorted((outcome.values["started"], outcome.values["ended"]) for outcome in outcomes)
    assert intervals[0][1] <= intervals[1][0], intervals


def test_the_longest_last_time_runs_first_and_unknown_ones_before_it(throwaway):
    names = ["short", "unknown", "long", "middle", "unknown_but_declared_long"]
    snippets = [throwaway.snippet(name, f"results = {{'name': '{name}'}}\n") for name in names[:-1]]
    snippets.append(throwaway.snippet(names[-1], '"""\nTimeout: 300\n"""\nresults = {"name": "unknown_but_declared_long"}\n'))
    (throwaway.root / ".cache").mkdir()
    (throwaway.root / ".cache" / "timings.json").write_text('{"short": 0.5, "long": 30.0, "middle": 4.0}')
    order = []
    with SnippetRunner(throwaway.root, throwaway.root / ".cache", workers=1, report=lambda text: None) as runner:
        outcomes = runner.run_many([(snippet, None) for snippet in snippets], finished=lambda s, _: order.append(s.name))
        assert [outcome.values["name"] for outcome in outcomes] == names  # results still in request order
        assert runner.executed == names
    # Unknown ones first, the one whose author raised its timeout before the other; then by last time.
    assert order == ["unknown_but_declared_long", "unknown", "long", "middle", "short"]
    # This run's own times replace the hints.
    timings = json.loads((throwaway.root / ".cache" / "timings.json").read_text())
    assert set(timings) == set(names) and timings["long"] < 30.0


def test_a_nice_runner_starts_its_workers_below_the_caller(throwaway):
    # `mkdocs serve` runs snippets behind the pages a reader waits for: its workers are niced.
    probe = throwaway.snippet("niceness", "import os\nresults = {'niceness': os.nice(0)}\n")
    caller = os.nice(0)
    with SnippetRunner(throwaway.root, throwaway.root / ".cache", workers=1, niceness=5, report=lambda text: None) as runner:
        assert runner.run(probe).values == {"niceness": min(caller + 5, 19)}


BACKEND_LOADED = 'import sys\nresults = {"loaded": "tensorflow" in sys.modules}\n'


def test_a_worker_starts_its_backend_for_the_first_snippet_that_uses_it_outside_its_timeout(throwaway):
    # Snippets that import only the standard library, NumPy and matplotlib (the engine's and fault
    # tests' throwaway ones, and a page's pure-NumPy demonstration) run without TensorFlow's import.
    light = throwaway.snippet("light", "SEED = 0\n" + BACKEND_LOADED)
    # TensorFlow's import alone takes longer than this timeout on any machine here (8 s on a fast
    # core): the import is the worker's start-up, under its own limit, and not the snippet's run.
    keras_user = throwaway.snippet("keras_user", '''
        """
        Timeout: 2
        """
        import keras
        results = {"backend": keras.backend.backend()}
    ''')
    with SnippetRunner(throwaway.root, throwaway.root / ".cache", workers=1, memory_limit_mib=1024, report=lambda t: None) as runner:
        before = runner.run(light)
        assert before.values == {"loaded": False} and before.device == "CPU"
        used = runner.run(keras_user)
        assert isinstance(used, SnippetRun), used.describe()
        assert used.values == {"backend": "tensorflow"} and used.backend == "tensorflow"
        after = runner.run(light, seed=1)  # another seed: a run, not a cache hit
        assert after.values == {"loaded": True}  # the same warm worker, backend kept
        assert runner.pool.starts == 1


def test_a_backend_imported_unseen_fails_the_run_and_restarts_the_worker(throwaway):
    sneaky = throwaway.snippet("sneaky", """
        import importlib
        keras = importlib.import_module("keras")
        results = {"ran": True}
    """)
    light = throwaway.snippet("light", BACKEND_LOADED)
    with SnippetRunner(throwaway.root, throwaway.root / ".cache", workers=1, report=lambda t: None) as runner:
        outcome = runner.run(sneaky)
        assert isinstance(outcome, SnippetFailure)
        assert outcome.path == "snippets/sneaky.py" and "importlib" in outcome.message
        assert runner.run(light).values == {"loaded": False}  # a fresh worker, without the unseeded backend
        assert runner.pool.starts == 2
