"""The CI time summary: seconds per folder and file from a JUnit report, the fixture-heavy tests named."""

from benchmarks.ci_time import summary, times_by_test

REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="3">
<testcase classname="tests.browser.test_pages" name="test_visits" time="300.0"/>
<testcase classname="tests.claims.test_relu" name="test_dies[0]" time="12.5"/>
<testcase classname="tests.test_readme" name="test_ci" time="0.5"/>
</testsuite></testsuites>"""


def test_a_report_is_summed_by_folder_and_file(tmp_path):
    report = tmp_path / "report.xml"
    report.write_text(REPORT)
    times = times_by_test(report)
    assert times == {
        "tests/browser/test_pages.py::test_visits": 300.0,
        "tests/claims/test_relu.py::test_dies[0]": 12.5,
        "tests/test_readme.py::test_ci": 0.5,
    }
    text = summary(times)
    assert "Tests: 3, 313 s in all, summed over the pytest-xdist workers" in text
    assert "| tests/browser | 300 | 96% |" in text and "| tests | 0 | 0% |" in text
    assert "| tests/claims/test_relu.py | 1 | 12 |" in text
    assert "- 300 s tests/browser/test_pages.py::test_visits" in text and "test_dies" not in text.split("Single tests")[1]
