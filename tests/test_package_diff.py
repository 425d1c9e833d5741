"""What a package version changed since the one before: the pure diff (tracker.core.package_versions)."""

from __future__ import annotations

from types import SimpleNamespace as N

from tracker.core.package_versions import changes, retired_in, snapshot, tree


def stored(drivers=(), ideas=(), title="Package", aim="Fewer restraints"):
    return {
        "shape": 1,
        "code": "P",
        "title": title,
        "aim": aim,
        "ambition": {"code": "RP", "title": "Reducing restrictive practice"},
        "drivers": [{"key": k, "parent": p, "title": t, "description": ""} for k, p, t in drivers],
        "ideas": [{"code": c, "title": t, "description": d, "driver": k} for c, t, d, k in ideas],
    }


BEFORE = stored(
    drivers=[(1, None, "Safe wards"), (2, 1, "Calm nights"), (3, None, "Leadership")],
    ideas=[
        ("RP-01", "Safety huddles", "", 2),
        ("RP-02", "Debriefs", "After each incident", 1),
        ("RP-03", "Audit", "", 3),
    ],
)


def test_a_first_version_has_nothing_before_it():
    said = changes(None, BEFORE)
    assert said.first and said.count == 0


def test_the_same_snapshot_changed_nothing():
    said = changes(BEFORE, BEFORE)
    assert not said.first and said.count == 0


def test_ideas_added_retired_reworded_and_moved():
    after = stored(
        drivers=[(1, None, "Safe wards"), (2, 1, "Calm nights"), (3, None, "Leadership")],
        ideas=[
            ("RP-01", "Daily safety huddles", "", 2),  # reworded (title)
            ("RP-02", "Debriefs", "Within 72 hours of each incident", 3),  # reworded (description) and moved
            ("RP-04", "Sensory rooms", "", None),  # added, not placed
        ],  # RP-03 retired
    )
    said = changes(BEFORE, after)
    assert said.ideas_added == [("RP-04", "Sensory rooms")]
    assert said.ideas_retired == [("RP-03", "Audit")]
    assert [(r.code, r.title_before, r.title_after, r.description_changed) for r in said.ideas_reworded] == [
        ("RP-01", "Safety huddles", "Daily safety huddles", False),
        ("RP-02", "Debriefs", "Debriefs", True),
    ]
    assert [(m.code, m.before, m.after) for m in said.ideas_moved] == [("RP-02", "Safe wards", "Leadership")]
    assert said.drivers_added == said.drivers_removed == said.drivers_renamed == []
    assert said.count == 5


def test_drivers_added_removed_and_renamed_are_known_by_their_key():
    after = stored(
        drivers=[(1, None, "Safer wards"), (4, None, "Families")],
        ideas=[
            ("RP-01", "Safety huddles", "", None),
            ("RP-02", "Debriefs", "After each incident", 1),
            ("RP-03", "Audit", "", 4),
        ],
        title="Package, second edition",
        aim="Far fewer restraints",
    )
    said = changes(BEFORE, after)
    assert said.drivers_added == ["Families"]
    assert said.drivers_removed == ["Calm nights", "Leadership"]
    assert [(r.before, r.after) for r in said.drivers_renamed] == [("Safe wards", "Safer wards")]
    assert [(m.code, m.before, m.after) for m in said.ideas_moved] == [
        ("RP-01", "Calm nights", None),
        ("RP-03", "Leadership", "Families"),
    ]
    assert (said.title.before, said.title.after) == ("Package", "Package, second edition")
    assert said.aim.after == "Far fewer restraints"


def test_the_snapshot_leaves_out_retired_ideas_and_orders_the_tree():
    ambition = N(code="RP", title="Reducing restrictive practice")
    package = N(code="P", title="Package", summary="Fewer restraints", ambition=ambition)
    drivers = [
        N(id=5, parent_id=None, position=1, title="B", description=""),
        N(id=6, parent_id=None, position=0, title="A", description=""),
        N(id=7, parent_id=5, position=0, title="B1", description=""),
    ]
    ideas = [
        N(code="X-01", title="One", description="", driver_id=7, position=0, retired=False),
        N(code="X-02", title="Two", description="", driver_id=None, position=0, retired=False),
        N(code="X-03", title="Gone", description="", driver_id=6, position=1, retired=True),
    ]
    made = snapshot(package, drivers, ideas)
    assert [d["title"] for d in made["drivers"]] == ["A", "B", "B1"]
    assert [i["code"] for i in made["ideas"]] == ["X-01", "X-02"]
    primary, unplaced = tree(made)
    assert [(b.title, [c.title for c in b.children]) for b in primary] == [("A", []), ("B", ["B1"])]
    assert [i["code"] for i in primary[1].children[0].ideas] == ["X-01"]
    assert [i["code"] for i in unplaced] == ["X-02"]


def test_the_version_that_retired_an_idea():
    had = stored(ideas=[("RP-01", "Huddles", "", None)])
    without = stored()
    assert retired_in([(1, had), (2, without), (3, without)], "RP-01") == 2
    assert retired_in([(1, had), (2, without), (3, had)], "RP-01") is None  # brought back
    assert retired_in([(1, without)], "RP-01") is None  # never in a version
