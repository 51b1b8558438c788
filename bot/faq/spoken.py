"""Spoken Indonesian verb forms and the roots they may stand for.

People write verbs as they say them: the nasal prefix without "me-" ("nyari" for mencari,
"nolong" for menolong, "ngeliat" for melihat, "nawari" for menawari) and the Jakarta "-in"
ending ("dilayanin" for dilayani, "nemenin" for menemani). Each candidate root says whether the
form is unmistakably Indonesian (ny-, ng-, nge-, -in); a short n-/m- word is often English
("need", "more"), so its roots count only when the content uses them.
"""

from __future__ import annotations

VOWELS = frozenset("aeiou")


def spoken_roots(raw: str) -> list[tuple[str, bool]]:
    """Candidate roots of a typed word, most likely first: (root, unmistakable)."""
    if len(raw) < 5 or not raw.isalpha():
        return []
    forms = [raw]
    if raw.endswith("in") and len(raw) >= 6:
        forms += [raw[:-2] + "i", raw[:-2]]
    forms += [f[2:] for f in forms if f.startswith("di") and len(f) >= 6]
    roots: list[tuple[str, bool]] = []
    for f in forms:
        if f != raw:
            roots.append((f, True))
        if f.startswith("nge") and len(f) >= 6:
            roots.append((f[3:], True))
        if f.startswith("ny") and f[2:3] in VOWELS:
            roots += [("c" + f[2:], True), ("s" + f[2:], True)]
        elif f.startswith("ng") and f[2:3] in VOWELS:
            roots += [(f[2:], True), ("k" + f[2:], True), ("h" + f[2:], True),
                      ("g" + f[2:], True)]
        elif f.startswith("n") and f[1:2] in VOWELS:
            roots.append(("t" + f[1:], len(raw) >= 6))
        elif f.startswith("m") and f[1:2] in VOWELS:
            roots.append(("p" + f[1:], len(raw) >= 6))
    # "tawari" (nawari) is "tawar" with the -i it kept: try the root without it too.
    found: list[tuple[str, bool]] = []
    for root, sure in roots:
        found.append((root, sure))
        if root.endswith("i") and len(root) >= 6:
            found.append((root[:-1], sure))
    return found
