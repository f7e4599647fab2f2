"""The committed records the report copies: proof results
(audit/proofs-record.tsv, from `make proofs` via `make audit`) and fuzzing
(audit/fuzz-record.tsv, written by `make fuzz`).  Both are measurements
of a run, not of the code, so they live in files a person commits
knowingly; the report itself is then a pure function of the tree.
"""
import os

PROOFS_RECORD = "audit/proofs-record.tsv"
FUZZ_RECORD = "audit/fuzz-record.tsv"


def _rows(path):
    """(comment lines, rows as lists of fields) of a tsv with # comments;
    None if the file does not exist."""
    if not os.path.exists(path):
        return None
    comments, rows = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                comments.append(line[1:].strip())
            elif line.strip():
                rows.append(line.split("\t"))
    return comments, rows


def proofs_lines(results):
    """The normalised record lines of make proofs' output: every row of
    results.tsv (FILE PROVED TOTAL STATUS, DRIVER eva ALARMS STATUS) and,
    from negative.tsv beside it, each negative test as PATCH negative -
    STATUS; sorted.  A malformed row is an error: the record must not
    silently lose a parser."""
    out = []
    with open(results, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            wp_ok = len(fields) == 4 and fields[1].isdigit() and fields[2].isdigit()
            eva_ok = len(fields) == 4 and fields[1] == "eva" and (fields[2].isdigit() or fields[2] == "-")
            if not (wp_ok or eva_ok):
                raise SystemExit("audit: %s:%d: expected FILE<TAB>PROVED<TAB>TOTAL<TAB>STATUS "
                                 "or DRIVER<TAB>eva<TAB>ALARMS<TAB>STATUS" % (results, n))
            out.append("\t".join(fields))
    negative = os.path.join(os.path.dirname(results), "negative.tsv")
    if os.path.exists(negative):
        with open(negative, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                fields = line.rstrip("\n").split("\t")
                if fields == [""]:
                    continue
                if len(fields) < 2:
                    raise SystemExit("audit: %s:%d: expected PATCH<TAB>STATUS" % (negative, n))
                out.append("%s\tnegative\t-\t%s" % (fields[0], fields[-1]))
    return sorted(out)


def update_proofs_record(root, results):
    """Copies results (make proofs' output) into the committed record.
    Returns True if the record changed."""
    header = ["# Copied by `make audit` from make proofs' results.tsv and negative.tsv: FILE PROVED",
              "# TOTAL STATUS, DRIVER eva ALARMS STATUS, or PATCH negative - STATUS.  Commit it with the report."]
    text = "\n".join(header + proofs_lines(results)) + "\n"
    path = os.path.join(root, PROOFS_RECORD)
    old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
    if old != text:
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
    return old != text


def proofs(root):
    """{file: (proved, total, status)}, {driver: (alarms, status)},
    {negative-test patch: status}; None when there is no record (make
    proofs never ran here)."""
    got = _rows(os.path.join(root, PROOFS_RECORD))
    if got is None:
        return None
    wp, eva, neg = {}, {}, {}
    for f in got[1]:
        if f[1] == "eva":
            eva[f[0]] = (f[2], f[3])
        elif f[1] == "negative":
            neg[f[0]] = f[3]
        else:
            wp[f[0]] = (int(f[1]), int(f[2]), f[3])
    return wp, eva, neg


def fuzz(root):
    """(comment lines, {target: {column: value}}) or None."""
    got = _rows(os.path.join(root, FUZZ_RECORD))
    if got is None:
        return None
    comments, rows = got
    cols = None
    for c in comments:
        if c.startswith("target\t"):
            cols = c.split("\t")
    if cols is None:
        raise SystemExit("audit: %s: no '# target<TAB>...' column line" % FUZZ_RECORD)
    return [c for c in comments if not c.startswith("target\t")], \
        {r[0]: dict(zip(cols, r)) for r in rows}
