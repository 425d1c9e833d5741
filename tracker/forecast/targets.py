"""The reach a dated target asks for, read from its text.

A target's text is free prose ("every trust engaged", "at least 10% of wards in each trust", "reduce
restrictive practice by 50%"). Reach is the share of organisations adopting, so only a share *of
organisations* sets it: a percentage followed by "of" and a word naming organisations (organisations,
trusts, providers, services, ICSs, systems, networks), as in "80% of trusts". Any other percentage
measures something else (a reduction in incidents, a share of wards, which is depth) and says nothing
about reach: then, as when the text states no share, the target asks for every organisation (100%),
which is also what "each trust" means. The first matching share wins. A target with a value of its own
(one a manager set in the app) aims at that value instead.
"""

from __future__ import annotations

import re

EVERY = 1.0
_SHARE = re.compile(
    r"(\d{1,3}(?:\.\d+)?)\s*(?:%|per\s*cent|percent)\s+of\s+(?:the\s+|all\s+|our\s+)?"
    r"(?:organi[sz]ations?|trusts?|providers?|services?|ics(?:s|es)?|systems?|networks?)\b",
    re.IGNORECASE,
)


def goal_reach(target) -> float:
    """The share of organisations a target (reports.service.TargetInfo) aims at: the value it sets, else
    what its text asks for."""
    return target.goal(target_reach(target.text))


def target_reach(text: str) -> float:
    """The share of organisations (0 to 1) the target's text asks to reach: its stated share, else 1."""
    for match in _SHARE.finditer(text or ""):
        share = float(match.group(1)) / 100
        if 0 < share <= 1:
            return share
    return EVERY
