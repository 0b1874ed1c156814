from __future__ import annotations

from dost.centres.charts import BAR_AREA_HEIGHT, TOP, bar_chart


def test_it_scales_bars_to_a_round_axis_maximum() -> None:
    chart = bar_chart(slug="x", title="t", description="d",
                      values=[("a", 30.0), ("b", 15.0), ("c", None)])
    # 30 rounds up to an axis of 50: a bar of 30 is 3/5 of the drawing height.
    assert [t.text for t in chart.ticks] == ["0", "25", "50"]
    a, b, c = chart.bars
    assert a.height == BAR_AREA_HEIGHT * 30 / 50
    assert b.height == a.height / 2
    assert a.y + a.height == TOP + BAR_AREA_HEIGHT  # bars stand on the baseline
    assert (c.height, c.value_text) == (0, "–")


def test_it_draws_no_bar_below_the_axis() -> None:
    chart = bar_chart(slug="x", title="t", description="d", values=[("a", -5.0), ("b", 0.0)])
    assert [bar.height for bar in chart.bars] == [0, 0]
    assert chart.ticks[-1].text == "1"
