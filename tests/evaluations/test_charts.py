"""The dashboard's charts (issue 19): the trend's edge labels are anchored inside the chart,
the radar carries its scale values."""

from __future__ import annotations

from evaluations.charts import radar, trend_lines


def test_the_trend_labels_at_the_edges_are_anchored_inside_the_chart():
    chart = trend_lines(
        ["2023-2024", "2024-2025", "2025-2026"], [("LOS", [3.1, None, 3.8])], width=480
    )
    anchors = [label["anchor"] for label in chart["x_labels"]]
    assert anchors == ["start", "middle", "end"]
    assert float(chart["x_labels"][-1]["x"]) == chart["right"]  # ends at the last point
    assert trend_lines(["2025-2026"], [("LOS", [3.0])])["x_labels"][0]["anchor"] == "start"


def test_the_radar_shows_its_scale_from_1_to_5_along_the_first_axis():
    chart = radar(["LOS", "VOR", "LEI"], [("2025-2026", [3.0, 4.0, None])], size=320)
    assert [tick["label"] for tick in chart.scale] == [1, 2, 3, 4, 5]
    heights = [float(tick["y"]) for tick in chart.scale]
    assert heights == sorted(heights, reverse=True)  # 1 at the centre, 5 at the top
    assert float(chart.scale[0]["y"]) == float(chart.centre)
