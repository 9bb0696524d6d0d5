"""2SFCA / E2SFCA: hand-computed cases and PySAL ``access`` on the same matrices."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from lifecircle.accessibility.supply import (
    catchment_demand,
    community_access,
    community_access_table,
    fca,
    weights,
)
from lifecircle.errors import InputError

access = pytest.importorskip("access")


def test_hand_computed_2sfca() -> None:
    # facility 0 (10 places) reaches both points (5 and 12 min), facility 1 (30 places)
    # only point 1 (8 min; point 0 at 20 min is beyond 15).
    times = np.array([[5.0, 12.0], [20.0, 8.0]])
    got = fca(times, [10, 30], [100, 200], limit=15)
    r0, r1 = 10 / 300, 30 / 200
    assert got == pytest.approx([r0, r0 + r1], abs=1e-15)
    assert catchment_demand(times, [100, 200], limit=15) == pytest.approx([300, 200])


def test_hand_computed_e2sfca_steps_and_gaussian() -> None:
    times = np.array([[5.0, 12.0], [20.0, 8.0]])
    steps = {10: 1.0, 20: 0.5}
    # weights: f0 -> (1, 0.5), f1 -> (0.5, 1)
    r0 = 10 / (100 * 1 + 200 * 0.5)
    r1 = 30 / (100 * 0.5 + 200 * 1)
    got = fca(times, [10, 30], [100, 200], limit=30, decay=steps)
    assert got == pytest.approx([r0 + 0.5 * r1, 0.5 * r0 + r1], abs=1e-15)
    sigma = 10.0
    g = np.exp(-times**2 / (2 * sigma**2))
    rg = np.array([10, 30]) / (g @ np.array([100.0, 200.0]))
    got = fca(times, [10, 30], [100, 200], limit=30, decay="gaussian", sigma=sigma)
    assert got == pytest.approx(g.T @ rg, abs=1e-15)


def test_unreachable_and_empty_catchment_are_zero() -> None:
    times = np.array([[np.inf, 3.0], [4.0, np.nan]])
    # facility 1 reaches only point 0, which has no residents: ratio 0, not inf/NaN
    got = fca(times, [6, 5], [0, 3], limit=15)
    assert got == pytest.approx([0.0, 2.0])


def test_sparse_matrix_equals_dense_and_keeps_stored_zero_times() -> None:
    dense = np.array([[0.0, np.inf, 7.0], [np.inf, 2.0, 9.0]])
    rows, cols = np.nonzero(np.isfinite(dense))
    sparse = sp.coo_matrix((dense[rows, cols], (rows, cols)), shape=dense.shape)
    for decay in ("step", "gaussian", {5: 1.0, 10: 0.3}):
        a = fca(dense, [2, 3], [10, 20, 30], limit=10, decay=decay)
        b = fca(sparse, [2, 3], [10, 20, 30], limit=10, decay=decay)
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)
    # the stored zero counts: point 0 is 0 min from facility 0
    assert fca(sparse, [2, 3], [10, 20, 30], limit=10)[0] == pytest.approx(2 / 40)


def _access_oracle(times: np.ndarray, supply: np.ndarray, demand: np.ndarray, limit: float,
                   weight_fn: object | None, enhanced: bool) -> np.ndarray:
    from access import Access

    m, n = times.shape
    fi, di = np.nonzero(np.isfinite(times))
    cost = pd.DataFrame({"origin": [f"d{i}" for i in di], "dest": [f"f{j}" for j in fi],
                         "cost": times[fi, di]})
    dem = pd.DataFrame({"pop": demand}, index=pd.Index([f"d{i}" for i in range(n)],
                                                       name="geoid"))
    sup = pd.DataFrame({"cap": supply}, index=pd.Index([f"f{j}" for j in range(m)],
                                                       name="geoid"))
    a = Access(demand_df=dem, demand_index=True, demand_value="pop", supply_df=sup,
               supply_index=True, supply_value="cap", cost_df=cost, cost_origin="origin",
               cost_dest="dest", cost_name="cost")
    if enhanced:
        out = a.enhanced_two_stage_fca(name="x", max_cost=limit, weight_fn=weight_fn)
    else:
        out = a.two_stage_fca(name="x", max_cost=limit, weight_fn=weight_fn)
    return out["x_cap"].reindex(dem.index).fillna(0.0).to_numpy()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_equals_pysal_access(seed: int) -> None:
    from access import weights as aw

    rng = np.random.default_rng(seed)
    m, n = 7, 40
    times = rng.uniform(0, 40, (m, n))
    times[rng.random((m, n)) < 0.3] = np.inf
    supply = rng.integers(1, 200, m).astype(float)
    demand = rng.uniform(1, 500, n)
    limit = 25.0
    # classic 2SFCA
    ours = fca(times, supply, demand, limit=limit)
    theirs = _access_oracle(times, supply, demand, limit, None, enhanced=False)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)
    assert (ours > 0).sum() > n // 2  # the case is not trivial
    # E2SFCA, step weights (Luo and Qi's 1 / 0.68 / 0.22)
    steps = {10: 1.0, 20: 0.68, 25: 0.22}
    ours = fca(times, supply, demand, limit=limit, decay=steps)
    theirs = _access_oracle(times, supply, demand, limit, aw.step_fn(steps), enhanced=True)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)
    # E2SFCA, Gaussian weights
    ours = fca(times, supply, demand, limit=limit, decay="gaussian", sigma=8.0)
    theirs = _access_oracle(times, supply, demand, limit, aw.gaussian(8.0), enhanced=True)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


def test_weights_step_boundaries() -> None:
    w = weights([0, 10, 10.5, 20, 25, 30, math.inf], limit=25, decay={10: 1.0, 20: 0.5, 30: 0.2})
    assert w.tolist() == [1.0, 1.0, 0.5, 0.5, 0.2, 0.0, 0.0]


def test_community_access_is_population_weighted() -> None:
    s = community_access([1.0, 3.0, 5.0, 7.0], [1.0, 3.0, 0.0, 0.0], ["a", "a", "b", "b"])
    assert s["a"] == pytest.approx((1 * 1 + 3 * 3) / 4)
    assert math.isnan(s["b"])


def test_community_access_table_is_each_column_alone() -> None:
    # several columns in one grouping: each equals the weighted mean computed by hand
    # (brute force per group) and, bit for bit, community_access of that column alone
    rng = np.random.default_rng(5)
    n, k = 500, 4
    values = rng.random((n, k)) * 10
    weights_ = rng.integers(0, 5, (n, k)).astype(float)
    weights_[rng.random(n) < 0.1, 1] = 0.0
    groups = rng.choice(np.array(["c3", "c1", "c2", 7], dtype=object), n)
    table = community_access_table(values, weights_, groups, ["a", "b", "c", "d"])
    assert list(table.columns) == ["a", "b", "c", "d"]
    assert list(table.index) == list(pd.unique(groups))  # first appearance
    for j, name in enumerate(table.columns):
        alone = community_access(values[:, j], weights_[:, j], groups)
        pd.testing.assert_series_equal(table[name], alone, check_names=False,
                                       check_exact=True)
        for g in table.index:
            sel = np.array([x == g for x in groups])
            w = weights_[sel, j].sum()
            expect = (values[sel, j] * weights_[sel, j]).sum() / w if w > 0 else math.nan
            assert table.loc[g, name] == pytest.approx(expect, rel=1e-12, nan_ok=True)


@pytest.mark.parametrize(("kw", "needle"), [
    ({"supply": [1.0]}, "supply: 1 values for 2"),
    ({"demand": [1.0, -2.0]}, "demand: value -2.0 at position 1"),
    ({"limit": 0}, "limit 0"),
    ({"decay": "cubic"}, "decay 'cubic'"),
    ({"decay": {10: -1}}, "steps must map"),
])
def test_bad_input_is_one_clear_error(kw: dict[str, object], needle: str) -> None:
    args: dict[str, object] = {"supply": [1.0, 2.0], "demand": [1.0, 2.0], "limit": 15}
    args.update(kw)
    with pytest.raises(InputError, match=needle.replace("(", r"\(")) as e:
        fca(np.ones((2, 2)), args.pop("supply"), args.pop("demand"), **args)  # type: ignore[arg-type]
    # a catalogue message: in Chinese with its fix in a zh run
    assert "修正：" in e.value.render("zh") and "fix: " not in e.value.render("zh")


def test_supply_and_load_along_a_road() -> None:
    """One straight road, 1000 m per 900 s (4 km/h): the urban circle reaches 1000 m."""
    from shapely.geometry import Point

    from lifecircle.accessibility.network import from_edges
    from lifecircle.accessibility.snap import snap
    from lifecircle.accessibility.supply import supply_and_load
    from lifecircle.project import load_profile

    net = from_edges([[0, 0], [1000, 0], [2000, 0], [3000, 0]], [0, 1, 2], [1, 2, 3],
                     [900.0] * 3, [900.0] * 3, mode="walk", access_speed_mps=1.0)
    profile = load_profile("maanshan-2025")
    points = pd.DataFrame({"did": [0, 1, 2, 3], "cid": ["X", "X", "Y", "Y"],
                           "population": [100.0, 200.0, 300.0, 50.0]})
    pts = [Point(500, 0), Point(1500, 0), Point(2500, 0), Point(3000, 0)]
    communities = pd.DataFrame({"cid": ["X", "Y"], "population": [300.0, 350.0],
                                "elderly": [60.0, 35.0]})
    fac_xy = [Point(0, 0), Point(2000, 0)]
    facilities = pd.DataFrame({"fid": ["A", "B", "E1", "E2"],
                               "category": ["shelter", "shelter", "elderly_care",
                                            "elderly_care"],
                               "capacity": [10.0, 600.0, 15.0, np.nan]})
    fsnap = snap(net, np.array([[p.x, p.y] for p in fac_xy]), max_snap_m=10)
    dsnap = snap(net, np.array([[p.x, p.y] for p in pts]), max_snap_m=10)
    out = supply_and_load({"walk": net}, {"urban": (np.arange(4), dsnap)},
                          {("walk", "shelter"): fsnap, ("walk", "elderly_care"): fsnap},
                          facilities, points, communities, profile)
    f = out.facilities.set_index("fid")
    # A reaches the point at 500 m; B those at 500, 500 and exactly 1000 m (15 min)
    assert f.loc["A", "load"] == pytest.approx(100.0)
    assert f.loc["B", "load"] == pytest.approx(550.0)
    assert f.loc["A", "ratio"] == pytest.approx(10 / 100 * 1000)
    assert f.loc["B", "ratio"] == pytest.approx(600 / 550 * 1000)
    assert bool(f.loc["A", "over_capacity"]) is True
    assert bool(f.loc["B", "over_capacity"]) is False
    # elderly care serves the elderly: X's share 0.2, Y's 0.1, at the elderly's count
    assert f.loc["E1", "load_of"] == "elderly"
    assert f.loc["E1", "load"] == pytest.approx(100 * 0.2)
    assert f.loc["E2", "load"] == pytest.approx(200 * 0.2 + 300 * 0.1 + 50 * 0.1)
    assert bool(f.loc["E1", "over_capacity"]) is True   # 20 > 15
    assert f.loc["E2", "over_capacity"] is pd.NA       # capacity unknown
    # 2SFCA per point, per 1,000 residents
    s = out.points
    assert s.loc[0, "shelter"] == pytest.approx(100.0)
    assert s.loc[3, "shelter"] == pytest.approx(600 / 550 * 1000)
    # E2 has no capacity: 0 places; E1 serves only point 0 (20 elderly): 15 / 20
    assert s.loc[0, "elderly_care"] == pytest.approx(15 / 20 * 1000)
    assert s.loc[2, "elderly_care"] == pytest.approx(0.0)
    assert any("1 of 2 facilities have no capacity" in w for w in out.warnings)


def test_e2sfca_along_a_road_hand_computed() -> None:
    """The road of the test above with the profile's default E2SFCA (Luo and Qi: the
    15-minute limit in zones of 5/10/15 minutes weighted 1 / 0.68 / 0.22), and with a
    Gaussian decay named by the category (sigma = 0.5 x 15 = 7.5 minutes)."""
    from dataclasses import replace

    from lifecircle.accessibility.network import from_edges
    from lifecircle.accessibility.snap import snap
    from lifecircle.accessibility.supply import supply_and_load
    from lifecircle.project import load_profile

    net = from_edges([[0, 0], [1000, 0], [2000, 0], [3000, 0]], [0, 1, 2], [1, 2, 3],
                     [900.0] * 3, [900.0] * 3, mode="walk", access_speed_mps=1.0)
    profile = load_profile("maanshan-2025")
    assert profile.decay_rule("urban", "shelter") == ({5.0: 1.0, 10.0: 0.68, 15.0: 0.22}, None)
    points = pd.DataFrame({"did": [0, 1, 2, 3], "cid": ["X", "X", "Y", "Y"],
                           "population": [100.0, 200.0, 300.0, 50.0]})
    dxy = np.array([[500.0, 0], [1500, 0], [2500, 0], [3000, 0]])
    communities = pd.DataFrame({"cid": ["X", "Y"], "population": [300.0, 350.0],
                                "elderly": [60.0, 35.0]})
    facilities = pd.DataFrame({"fid": ["A", "B", "E1", "E2"],
                               "category": ["shelter", "shelter", "elderly_care",
                                            "elderly_care"],
                               "capacity": [10.0, 600.0, 15.0, np.nan]})
    fsnap = snap(net, np.array([[0.0, 0], [2000, 0]]), max_snap_m=10)
    dsnap = snap(net, dxy, max_snap_m=10)
    args = ({"walk": net}, {"urban": (np.arange(4), dsnap)},
            {("walk", "shelter"): fsnap, ("walk", "elderly_care"): fsnap}, facilities,
            points, communities)
    out = supply_and_load(*args, profile)
    assert out.decay == {"shelter": "steps", "elderly_care": "steps"}
    e = out.enhanced
    # minutes: A-p0 7.5; B-p1 7.5, B-p2 7.5, B-p3 15 -> weights 0.68, 0.68, 0.68, 0.22
    ra = 10 / (0.68 * 100)
    rb = 600 / (0.68 * 200 + 0.68 * 300 + 0.22 * 50)
    assert e.loc[0, "shelter"] == pytest.approx(0.68 * ra * 1000, rel=1e-12)
    assert e.loc[1, "shelter"] == pytest.approx(0.68 * rb * 1000, rel=1e-12)
    assert e.loc[2, "shelter"] == pytest.approx(0.68 * rb * 1000, rel=1e-12)
    assert e.loc[3, "shelter"] == pytest.approx(0.22 * rb * 1000, rel=1e-12)
    # one facility serving one point: the decay cancels, E2SFCA = 2SFCA = 15 / 20 elderly
    assert e.loc[0, "elderly_care"] == pytest.approx(750.0, rel=1e-12)
    assert out.points.loc[0, "elderly_care"] == pytest.approx(750.0, rel=1e-12)
    # the same supply is shared out: population-weighted sums equal the capacity reached
    pop = points["population"].to_numpy()
    assert float((e["shelter"].to_numpy() * pop).sum()) == pytest.approx(610 * 1000)

    cats = dict(profile.categories)
    cats["shelter"] = replace(cats["shelter"], decay="gaussian")
    gauss = replace(profile, categories=cats)
    out = supply_and_load(*args, gauss)
    assert out.decay["shelter"] == "gaussian" and out.decay["elderly_care"] == "steps"

    def g(t: float) -> float:
        return math.exp(-t * t / (2 * 7.5 ** 2))

    ra = 10 / (g(7.5) * 100)
    rb = 600 / (g(7.5) * 200 + g(7.5) * 300 + g(15) * 50)
    assert out.enhanced.loc[0, "shelter"] == pytest.approx(g(7.5) * ra * 1000, rel=1e-12)
    assert out.enhanced.loc[3, "shelter"] == pytest.approx(g(15) * rb * 1000, rel=1e-12)
    # 2SFCA does not depend on the decay
    assert out.points.loc[3, "shelter"] == pytest.approx(600 / 550 * 1000)


@pytest.mark.parametrize(("profile_key", "circle", "category"), [
    ("maanshan-2025", "urban", "elderly_care"), ("maanshan-2025", "rural", "health"),
    ("gb50180-2018", "urban", "childcare"), ("gb50180-2018", "urban", "primary_school")])
def test_profile_decay_equals_pysal_access(profile_key: str, circle: str,
                                           category: str) -> None:
    """The decay the pipeline takes from the profile, on a random matrix, equals PySAL
    ``access`` given the same steps (and the Gaussian alternative its gaussian weights)."""
    from dataclasses import replace

    from access import weights as aw

    from lifecircle.project import load_profile

    profile = load_profile(profile_key)
    limit = profile.limit(circle, category)
    rng = np.random.default_rng(11)
    m, n = 6, 50
    times = rng.uniform(0, 1.5 * limit, (m, n))
    times[rng.random((m, n)) < 0.2] = np.inf
    supply = rng.integers(10, 100, m).astype(float)
    demand = rng.uniform(1, 300, n)
    decay, sigma = profile.decay_rule(circle, category)
    assert isinstance(decay, dict) and sigma is None and max(decay) == pytest.approx(limit)
    ours = fca(times, supply, demand, limit=limit, decay=decay)
    theirs = _access_oracle(times, supply, demand, limit, aw.step_fn(decay), enhanced=True)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)
    assert (ours > 0).sum() > n // 2
    gauss = replace(profile, supply=replace(profile.supply, decay="gaussian"))
    decay, sigma = gauss.decay_rule(circle, category)
    assert decay == "gaussian" and sigma == pytest.approx(0.5 * limit)
    ours = fca(times, supply, demand, limit=limit, decay=decay, sigma=sigma)
    theirs = _access_oracle(times, supply, demand, limit, aw.gaussian(sigma), enhanced=True)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


def test_added_supply_equals_a_run_over_all_facilities() -> None:
    """Adding facilities to a base run routes only them, and every point's 2SFCA and
    E2SFCA equals a from-scratch run over existing + added facilities: two circles on two
    networks, a group-measured category, one whose existing facilities have no capacity
    (its supply comes from the added ones alone), one without existing facilities, one
    the added facilities leave alone."""
    from lifecircle.accessibility.network import from_edges
    from lifecircle.accessibility.snap import snap
    from lifecircle.accessibility.supply import added_supply, supply_and_load
    from lifecircle.project import load_profile

    rng = np.random.default_rng(11)
    k = 12                                   # a k x k grid, 200 m blocks
    xy = np.array([[200.0 * i, 200.0 * j] for j in range(k) for i in range(k)])
    u = [a for a in range(k * k) if a % k < k - 1] + list(range(k * (k - 1)))
    v = [a + 1 for a in range(k * k) if a % k < k - 1] + list(range(k, k * k))
    length = np.hypot(*(xy[u] - xy[v]).T)
    nets = {mode: from_edges(xy, u, v, length / sp_, length / sp_, mode=mode,
                             access_speed_mps=1.2)
            for mode, sp_ in (("walk", 1.1), ("ebike", 4.0))}
    profile = load_profile("maanshan-2025")
    n = 300
    pxy = rng.uniform(0, 200.0 * (k - 1), (n, 2))
    points = pd.DataFrame({"did": np.arange(n), "cid": rng.choice(["X", "Y", "Z"], n),
                           "population": rng.uniform(0, 300, n).round()})
    communities = pd.DataFrame({"cid": ["X", "Y", "Z"], "population": [9e4, 8e4, 7e4],
                                "elderly": [2e4, 1e4, 3e3], "children": [5e3, 6e3, 7e3]})
    rural = pxy[:, 0] > 1500
    demand_snaps = {"urban": (np.flatnonzero(~rural), snap(nets["walk"], pxy[~rural],
                                                            max_snap_m=200)),
                    "rural": (np.flatnonzero(rural), snap(nets["ebike"], pxy[rural],
                                                          max_snap_m=200))}

    def frame(cats: list[str], caps: list[float], tag: str) -> tuple[pd.DataFrame, np.ndarray]:
        f = pd.DataFrame({"fid": [f"{tag}{i}" for i in range(len(cats))], "category": cats,
                          "capacity": caps})
        return f, rng.uniform(0, 200.0 * (k - 1), (len(f), 2))

    ex_cats = ["health"] * 6 + ["elderly_care"] * 5 + ["sports"] * 4 + ["grocery"] * 3
    ex_caps = [*rng.uniform(5, 50, 6), *rng.uniform(5, 50, 4), np.nan, *[np.nan] * 4,
               *rng.uniform(5, 50, 3)]
    existing, exy = frame(ex_cats, ex_caps, "E")
    ad_cats = ["health"] * 3 + ["elderly_care"] * 4 + ["sports"] * 2 + ["culture"] * 2
    added, axy = frame(ad_cats, [*rng.uniform(5, 50, 9), 20.0, np.nan], "A")

    def snaps(f: pd.DataFrame, fxy: np.ndarray) -> dict:
        out = {}
        for ckey in ("urban", "rural"):
            mode = profile.circles[ckey].mode
            for cat in profile.required(ckey):
                sel = (f["category"] == cat).to_numpy()
                out[(mode, cat)] = snap(nets[mode], fxy[sel], max_snap_m=200)
        return out

    base = supply_and_load(nets, demand_snaps, snaps(existing, exy), existing, points,
                           communities, profile)
    assert "sports" not in base.points.columns          # no capacity among the existing
    got = added_supply(base, nets, demand_snaps, snaps(added, axy), added, points,
                       communities, profile)
    both = pd.concat([existing, added], ignore_index=True)
    want = supply_and_load(nets, demand_snaps, snaps(both, np.vstack([exy, axy])), both,
                           points, communities, profile)
    for g, w, b in ((got.points, want.points, base.points),
                    (got.enhanced, want.enhanced, base.enhanced)):
        assert sorted(g.columns) == sorted(w.columns)
        assert {"sports", "culture", "grocery", "health", "elderly_care"} <= set(g.columns)
        for cat in w.columns:
            np.testing.assert_allclose(g[cat].to_numpy(), w[cat].to_numpy(), rtol=1e-12,
                                       atol=0, equal_nan=True, err_msg=cat)
        # the added facilities do change the supply of their categories
        assert not np.allclose(g["health"].fillna(0), b["health"].fillna(0))
    assert got.decay == want.decay
    pd.testing.assert_frame_equal(got.facilities, base.facilities)
