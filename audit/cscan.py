"""Just enough C lexing for the lints: blank out comments, string and
character literals (keeping every offset, so positions found in the
blanked text index the original), and find calls with their arguments.
"""
import re


def blank(text, keep_strings=False):
    """text with comments (and, unless keep_strings, the contents of string
    and character literals) replaced by spaces; newlines stay."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            _spaces(out, i, j)
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            _spaces(out, i, j)
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            if not keep_strings:
                _spaces(out, i + 1, min(j, n))
            i = j + 1
        else:
            i += 1
    return "".join(out)


def _spaces(out, i, j):
    for k in range(i, min(j, len(out))):
        if out[k] != "\n":
            out[k] = " "


def blank_directives(code):
    """code (already blanked) with preprocessor lines, continuations
    included, replaced by spaces: a #define is not a call."""
    lines = code.split("\n")
    cont = False
    for k, line in enumerate(lines):
        if cont or line.lstrip().startswith("#"):
            cont = line.rstrip().endswith("\\")
            lines[k] = " " * len(line)
    return "\n".join(lines)


_DECL_WORDS_OK = {"return", "else", "do", "case", "sizeof"}


def find_calls(code, names):
    """Calls in code (blanked) of any of names, as (offset, name, member,
    args, end): member is True for calls through a struct member
    (v->ops->read), args is a list of (start, end) offsets of each
    argument, end the offset just past the closing parenthesis.  Declarations
    and definitions (a type word or `*` right before the name) are not
    calls."""
    pat = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names))) + r")\s*\(")
    for m in pat.finditer(code):
        before = code[:m.start()].rstrip()
        member = before.endswith(("->", "."))
        if not member and _is_declaration(before):
            continue
        split = _split_args(code, m.end() - 1)
        if split is not None:
            yield (m.start(), m.group(1), member) + split


def _is_declaration(before):
    if before.endswith("*"):
        before = before.rstrip("* \t\n")
        if not before or not (before[-1].isalnum() or before[-1] == "_"):
            return False
    if before and (before[-1].isalnum() or before[-1] == "_"):
        word = re.search(r"\w+$", before).group(0)
        return word not in _DECL_WORDS_OK
    return False


def _split_args(code, open_paren):
    depth, start, args = 0, open_paren + 1, []
    for i in range(open_paren, len(code)):
        c = code[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                if code[start:i].strip():
                    args.append((start, i))
                return args, i + 1
        elif c == "," and depth == 1:
            args.append((start, i))
            start = i + 1
    return None


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def squeeze(s):
    """s with every run of whitespace made one space, trimmed."""
    return " ".join(s.split())
