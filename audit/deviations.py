"""Named deviations in SPEC/: sections whose heading says "Deviation"
and paragraphs that open with a bold **Deviation...**.  Each is listed
where it is written; the SPEC text stays the authority.
"""
import glob
import os
import re

HEADING = re.compile(r"^(#+)\s+(.*deviation.*)$", re.I)
BOLD = re.compile(r"^\*\*(deviation[^*]*)\*\*\s*(.*)$", re.I)


def find(root):
    """[(spec file, line, title, [items])], in file and line order."""
    out = []
    for path in sorted(glob.glob(os.path.join(root, "SPEC", "*.md"))):
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        for i, line in enumerate(lines):
            m = HEADING.match(line)
            if m:
                out.append((rel, i + 1, m.group(2).strip(), _bullets(lines, i + 1, len(m.group(1)))))
                continue
            m = BOLD.match(line)
            if m:
                para = [m.group(2)]
                for nxt in lines[i + 1:]:
                    if not nxt.strip():
                        break
                    para.append(nxt.strip())
                out.append((rel, i + 1, m.group(1).strip().rstrip("."), [" ".join(para).strip()]))
    return out


def _bullets(lines, start, level):
    """Each top-level bullet of a section, whole."""
    items, cur = [], None
    for line in lines[start:]:
        h = re.match(r"^(#+)\s", line)
        if h and len(h.group(1)) <= level:
            break
        if line.startswith("- "):
            if cur is not None:
                items.append(cur)
            cur = line[2:].strip()
        elif cur is not None and line.startswith("  ") and line.strip():
            cur += " " + line.strip()
        elif cur is not None and not line.strip():
            items.append(cur)
            cur = None
    if cur is not None:
        items.append(cur)
    return items
