"""The benchmark's cold-only report: each build's ratio to its own snippets' run times, and the median of those."""

from benchmarks.build_benchmark import cold_report


def test_the_cold_ratio_is_taken_per_build_and_judged_on_its_median():
    # The median of the per-build ratios (0.580, 0.620, 0.589) is 0.589: met; the ratio of the medians
    # (310 / 500 = 0.62) would have said missed.
    text = cold_report([290.0, 310.0, 330.0], [500.0, 500.0, 560.0])
    assert "| 2 | 310.0 | 500.0 | 0.620 |" in text
    assert "Median ratio 0.589 (min–max 0.580–0.620); goal ≤ 0.6: met." in text
    assert "goal ≤ 0.6: missed." in cold_report([310.0], [500.0])
