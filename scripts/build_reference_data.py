"""Rebuild tracker/seed/south_of_england.json from the researched reference file.

Usage: python scripts/build_reference_data.py PATH/TO/south_of_england.json

The product ships only what it needs, in its own shape, with every fact's source kept beside it.
Nothing is invented: items the sources do not give stay empty.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tracker" / "seed" / "south_of_england.json"

# Kinds the reference data describes in notes rather than in a field.
ORGANISATION_KINDS = {"R1F": "acute_trust", "RH5": "mixed_trust"}

# The reference file's descriptions are paraphrases for users; what the researcher could not see
# belongs in its notes. One description is such a note ("Heading seen on the ideas page; the text
# after it could not be read"): these phrases find it, and the product ships no description instead.
RESEARCH_NOTE = re.compile(
    r"could not be read|seen on the|the text after it|not found in|not confirmed|sources? read", re.I
)


def description(item: dict) -> str:
    """The item's description for users, or "" where the reference file has only a research note."""
    text = item.get("description", "").strip()
    return "" if RESEARCH_NOTE.search(text) else text


def rrp_idea_provenance(idea: dict) -> str:
    if description(idea):
        return "Change idea published by NCCMH; its driver in the package is not yet known."
    return "Change idea named by NCCMH without a description; its driver in the package is not yet known."


def first(source) -> str:
    if isinstance(source, list):
        return source[0] if source else ""
    return source or ""


def ambitions(ref: dict) -> list[dict]:
    out = []
    for position, a in enumerate(ref["ambitions"]):
        targets = [
            {
                "label": "Original",
                "text": a["target_text"],
                "target_date": a["target_date"],
                "source_url": first(a["source"]),
            }
        ]
        if "revised_target" in a:
            t = a["revised_target"]
            targets.append(
                {
                    "label": "Revised",
                    "text": t["text"],
                    "target_date": t["target_date"],
                    "source_url": first(t["source"]),
                }
            )
        if "pilot_target" in a:
            t = a["pilot_target"]
            targets.append(
                {"label": "Pilot (2018–20)", "text": t["text"], "target_date": None, "source_url": first(t["source"])}
            )
        out.append(
            {
                "code": a["id"],
                "title": a["title"],
                "summary": a["target_text"],
                "baseline_note": a["baseline_notion"],
                "source_url": first(a["source"]),
                "position": position,
                "targets": targets,
            }
        )
    return out


def packages(ref: dict) -> list[dict]:
    by_id = {p["id"]: p for p in ref["change_packages"]}
    rrp, ssc, ssh = by_id["RRP"], by_id["SSC"], by_id["SSH"]
    framework = ssh["related_framework_not_a_change_package"]
    return [
        {
            "code": "RRP",
            "ambition": "RP",
            "title": rrp["name"],
            "publisher": rrp["publisher"],
            "version": "",
            "status": "published",
            "source_url": first(rrp["source"]),
            "summary": rrp["aim"]["text"],
            "provenance_note": rrp["origin"]["text"] + ". " + rrp["primary_drivers_note"].split(" Do not")[0],
            "resources": [
                {"title": t["name"], "description": description(t), "source_url": t["source"]}
                for t in rrp["tools_listed_by_nccmh"]
            ],
            "ideas": [
                {
                    "code": f"RP-{n:02d}",
                    "title": i["name"],
                    "description": description(i),
                    "source_url": i["source"],
                    "provenance_note": rrp_idea_provenance(i),
                }
                for n, i in enumerate(rrp["change_ideas_unassigned"], start=1)
            ],
        },
        {
            "code": "SSC",
            "ambition": "SS",
            "title": ssc["name"],
            "publisher": ssc["publisher"],
            "version": "",
            "status": "published",
            "source_url": first(ssc["source"]),
            "summary": " ".join(o["name"] + "." for o in ssc["objectives"]),
            "provenance_note": ssc["note"],
            "resources": [],
            "ideas": [
                {
                    "code": f"SS-{n:02d}",
                    "title": i["name"],
                    "description": "",
                    "source_url": i["source"],
                    "provenance_note": "Reported by participating wards at Sexual Safety Collaborative events; not an NCCMH package item.",
                }
                for n, i in enumerate(ssc["reported_ward_practices"], start=1)
            ],
        },
        {
            "code": "NCISH",
            "ambition": "SSH",
            "title": framework["name"],
            "publisher": framework["publisher"],
            "version": "2017",
            "status": "published",
            "source_url": first(framework["source"]),
            "summary": "Ten key elements that services can put in place to improve patient safety and reduce suicide.",
            "provenance_note": "A related framework, not an MHSIP change package: " + ssh["note"],
            "resources": [],
            "ideas": [
                {
                    "code": f"SSH-{n:02d}",
                    "title": e["name"],
                    "description": "",
                    "source_url": e["source"],
                    "provenance_note": "Key element of the NCISH 'Safer services' framework (paraphrased), not an NCCMH package item.",
                }
                for n, e in enumerate(framework["elements"], start=1)
            ],
        },
    ]


def networks(ref: dict) -> list[dict]:
    return [
        {
            "code": n["short_code"],
            "name": n["hin_name"],
            "former_name": n["ahsn_name"],
            "region": n["region"],
            "website": n.get("psc_site", ""),
            "source_url": first(n["source"]),
        }
        for n in ref["networks"]
    ]


def organisations(ref: dict) -> list[dict]:
    out = []
    for t in ref["trusts"]:
        closed_on = successor = None
        status = t.get("status", "")
        if status.startswith("closed "):
            closed_on = status.split()[1]
            successor = status.split("into ")[-1].strip()
        out.append(
            {
                "ods_code": t["ods_code"],
                "name": t["name"],
                "kind": ORGANISATION_KINDS.get(t["ods_code"], "mental_health_trust"),
                "network": t["ahsn"],
                "town": t["hq_town"],
                "latitude": t["lat"],
                "longitude": t["lon"],
                "opened_on": None,
                "closed_on": closed_on,
                "successor": successor,
                "membership": "unverified",
                "notes": t.get("note", ""),
                "source_url": first(t["source"]),
            }
        )
    return out


def about(ref: dict) -> dict:
    c = ref["collaborative"]
    return {
        "programme": ref["programme"]["name"],
        "collaborative": c["name"],
        "host": c["host"],
        "history": c["history"]["text"],
        "methods": c["methods"]["text"],
        "member_list_note": c["member_list_note"],
        "timeline": [
            {
                "date": e["date"],
                "event": e["event"],
                "source_url": first(e.get("source")),
                "confidence": e["confidence"],
            }
            for e in ref["programme"]["timeline"]
        ],
        "driver_diagram_levels": [
            {"level": lvl["level"], "meaning": lvl["meaning"], "source_url": lvl["source"]}
            for lvl in ref["driver_diagram_model"]["levels"]
        ],
    }


def main(path: str) -> None:
    ref = json.loads(Path(path).read_text(encoding="utf-8"))
    data = {
        "title": ref["meta"]["title"],
        "compiled": ref["meta"]["compiled"],
        "ambitions": ambitions(ref),
        "packages": packages(ref),
        "networks": networks(ref),
        "organisations": organisations(ref),
        "about": about(ref),
    }
    OUT.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"Wrote {OUT}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
