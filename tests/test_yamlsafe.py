"""Loading untrusted submission files: strings only, every hostile trick refused."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hwgrade.grader import yamlsafe
from hwgrade.grader.errors import SubmissionError
from hwgrade.grader.yamlsafe import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NODES,
    StringOnlyLoader,
    load_untrusted_file,
    load_untrusted_yaml,
)

ANCHORS = Path(__file__).resolve().parents[2] / "shared" / "anchors"


def _strings_only(value: Any) -> bool:
    """Whether ``value`` is nested dicts/lists of strings (iteratively, no recursion)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                return False
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif not isinstance(item, str):
            return False
    return True


# --- scalars stay text ---------------------------------------------------------------

SCALARS = [
    ("bool-no", "no", "no"),
    ("bool-yes", "yes", "yes"),
    ("bool-on", "on", "on"),
    ("true", "true", "true"),
    ("float", "0.5", "0.5"),
    ("exp", "1e-3", "1e-3"),
    ("sexagesimal", "3:4", "3:4"),
    ("null-tilde", "~", "~"),
    ("null-word", "null", "null"),
    ("empty-value", "", ""),
    ("date", "2001-01-01", "2001-01-01"),
    ("octal", "010", "010"),
    ("hex", "0x1F", "0x1F"),
    ("inf", ".inf", ".inf"),
    ("nan", ".nan", ".nan"),
    ("huge-int", "9" * 5000, "9" * 5000),
    ("expression", "u_3 + w u_2 + w^2 u_1", "u_3 + w u_2 + w^2 u_1"),
    ("quoted", '"x + 1"', "x + 1"),
    ("single-quoted", "'no'", "no"),
    ("latex", r"'\frac{1}{2}'", r"\frac{1}{2}"),
    ("bidi-kept-for-parser", '"x\u202e1"', "x\u202e1"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [s[1:] for s in SCALARS], ids=[s[0] for s in SCALARS]
)
def test_scalars_are_read_as_text(text: str, expected: str) -> None:
    assert load_untrusted_yaml(f"q1: {text}\n") == {"q1": expected}


def test_contract_example_loads_as_strings() -> None:
    doc = (
        "student: alice          # optional\n"
        "answers:\n"
        "  rnn_backprop:\n"
        '    a.t: "u_3 + w u_2 + w^2 u_1"\n'
        "    b: u_3 + 2 w u_2 + 3 w^2 u_1\n"
        "  normalization_stats:\n"
        "    mu_layer: [2.8333, 2.6667, 2.5, 2]\n"
        "    var: [[1, 0.5], [0, -1]]\n"
        "  flags: {x: 1, y: no}\n"
    )
    data = load_untrusted_yaml(doc)
    assert data == {
        "student": "alice",
        "answers": {
            "rnn_backprop": {"a.t": "u_3 + w u_2 + w^2 u_1", "b": "u_3 + 2 w u_2 + 3 w^2 u_1"},
            "normalization_stats": {
                "mu_layer": ["2.8333", "2.6667", "2.5", "2"],
                "var": [["1", "0.5"], ["0", "-1"]],
            },
            "flags": {"x": "1", "y": "no"},
        },
    }


def test_bytes_with_bom_and_block_scalars() -> None:
    doc = "\ufeffq1: |\n  line one\n  line two\nq2: >\n  folded\n  text\n".encode()
    assert load_untrusted_yaml(doc) == {"q1": "line one\nline two\n", "q2": "folded text\n"}


def test_keys_that_look_like_other_types_stay_text() -> None:
    assert load_untrusted_yaml("1: a\nno: b\n~: c\n") == {"1": "a", "no": "b", "~": "c"}


def test_explicit_document_markers_are_fine() -> None:
    assert load_untrusted_yaml("---\nq1: x\n...\n") == {"q1": "x"}


def test_string_only_loader_has_no_implicit_types() -> None:
    assert yaml.load("a: [no, 0.5, ~, 2001-01-01]", Loader=StringOnlyLoader) == {
        "a": ["no", "0.5", "~", "2001-01-01"]
    }


# --- everything hostile is refused -------------------------------------------------------

HOSTILE = [
    ("python-object", 'q1: !!python/object/apply:os.system ["touch /tmp/x"]\n', "tags", 1),
    (
        "tag-directive",
        "%TAG !p! tag:yaml.org,2002:python/object/apply:\n---\nq1: !p!os.system [x]\n",
        "tags",
        3,
    ),
    ("binary-tag", "q1: !!binary aGVsbG8=\n", "tags", 1),
    ("str-tag", "q1: !!str 1\n", "tags", 1),
    ("local-tag", "q1: !mine x\n", "tags", 1),
    ("set-tag", "q1: !!set {x: null}\n", "tags", 1),
    ("tag-on-top-mapping", "!!map {q1: x}\n", "tags", 1),
    ("anchor", "q1: &a x + 1\nq2: x\n", "anchors", 1),
    ("alias", "q1: &a x + 1\nq2: *a\n", "anchors", 1),
    ("self-alias", "q1: &a [*a]\n", "anchors", 1),
    ("billion-laughs", 'a: &a ["lol","lol"]\nb: &b [*a,*a]\nc: &c [*b,*b]\n', "anchors", 1),
    ("duplicate-key", "q1: x + 1\nq2: 2*x\nq1: x\n", "duplicate key 'q1'", 3),
    ("duplicate-nested", "a:\n  b: 1\n  c: 2\n  b: 3\n", "duplicate key 'b'", 4),
    ("duplicate-quoted", "q1: x\n'q1': y\n", "duplicate key", 2),
    ("complex-key-seq", "? [a, b]\n: x\n", "key must be plain text", 1),
    ("complex-key-map", "? {a: b}\n: x\n", "key must be plain text", 1),
    ("flow-complex-key", "{[a]: x}\n", "key must be plain text", 1),
    ("merge-key", "base: {a: 1}\nq: {<<: x, b: 2}\n", "merge keys", 2),
    ("tab-indent", "q1: x + 1\n\tq2: x\n", "not valid YAML", 2),
    ("two-documents", "q1: x\n---\nq2: y\n", "more than one YAML document", 2),
    ("unclosed-flow", "q1: [x, y\n", "not valid YAML", None),
    ("bad-indent", "a:\n  b: 1\n c: 2\n", "not valid YAML", 3),
    ("top-list", "- a\n- b\n", "top level must be a mapping", None),
    ("top-scalar", "just some text\n", "top level must be a mapping", None),
    ("empty", "", "the file is empty", None),
    ("blank", "  \n\n\t\n", "the file is empty", None),
    ("comment-only", "# only a comment\n", "the file is empty", None),
    ("bare-marker", "---\n", "the file is empty", None),
    ("control-char", "q1: x\x07\n", "not allowed", 1),
    ("escape-char", "q1: ok\nq2: \x1b[31m\n", "not allowed", 2),
]


@pytest.mark.parametrize(
    ("document", "fragment", "line"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE]
)
def test_hostile_documents_are_refused_with_a_line(
    document: str, fragment: str, line: int | None
) -> None:
    with pytest.raises(SubmissionError) as info:
        load_untrusted_yaml(document, name="sub.yaml")
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message
    assert message.startswith("sub.yaml")
    if line is not None:
        assert f"line {line}" in message


def test_tab_indentation_gets_a_hint() -> None:
    with pytest.raises(SubmissionError, match="spaces, not tabs"):
        load_untrusted_yaml("q1: x + 1\n\tq2: x\n")


BAD_BYTES = [
    ("nul", b"q1: x\n\x00\n", "binary data", 2),
    ("latin1", b"q1: caf\xe9\n", "not valid UTF-8", 1),
    ("latin1-line3", b"a: 1\nb: 2\nc: \xff\xfe\xfd\n", "not valid UTF-8", 3),
    ("utf16", "q1: x\n".encode("utf-16"), "UTF-16", None),
    ("random-binary", bytes(range(256)) * 4, "binary data", None),
]


@pytest.mark.parametrize(
    ("data", "fragment", "line"), [b[1:] for b in BAD_BYTES], ids=[b[0] for b in BAD_BYTES]
)
def test_binary_and_non_utf8_refused(data: bytes, fragment: str, line: int | None) -> None:
    with pytest.raises(SubmissionError, match=fragment) as info:
        load_untrusted_yaml(data)
    if line is not None:
        assert f"line {line}" in str(info.value)


def test_lone_surrogate_in_str_refused() -> None:
    with pytest.raises(SubmissionError, match="invalid characters"):
        load_untrusted_yaml("q1: \ud800\n")


def test_file_over_the_size_limit_refused_before_parsing() -> None:
    # Unbalanced on purpose: if it were parsed, the error would be a syntax error.
    data = b"q1: [" + b"x" * MAX_FILE_BYTES
    with pytest.raises(SubmissionError, match="too large"):
        load_untrusted_yaml(data)


def test_file_at_the_size_limit_is_fine() -> None:
    head = b"q1: "
    data = head + b"x" * (MAX_FILE_BYTES - len(head) - 1) + b"\n"
    assert len(data) == MAX_FILE_BYTES
    assert len(load_untrusted_yaml(data)["q1"]) == MAX_FILE_BYTES - len(head) - 1


@pytest.mark.parametrize("opener", ["[", "{a: ", "- "], ids=["flow-seq", "flow-map", "block-seq"])
def test_deep_nesting_refused_without_recursion(opener: str) -> None:
    depth = 200_000 if opener != "- " else 5_000
    if opener == "- ":
        doc = "q:\n" + "".join("  " * i + "-\n" for i in range(depth))
    else:
        doc = "q: " + opener * depth
    with pytest.raises(SubmissionError, match=f"deeper than {MAX_DEPTH}"):
        load_untrusted_yaml(doc[: MAX_FILE_BYTES - 1])


def test_nesting_up_to_the_limit_is_fine() -> None:
    doc = "q: " + "[" * (MAX_DEPTH - 1) + "x" + "]" * (MAX_DEPTH - 1) + "\n"
    value: Any = load_untrusted_yaml(doc)["q"]
    for _ in range(MAX_DEPTH - 2):
        value = value[0]
    assert value == ["x"]
    with pytest.raises(SubmissionError, match="deeper"):
        load_untrusted_yaml("q: " + "[" * MAX_DEPTH + "x" + "]" * MAX_DEPTH + "\n")


def test_too_many_nodes_refused() -> None:
    doc = "q: [" + ",".join(["1"] * (MAX_NODES + 10)) + "]\n"
    assert len(doc) < MAX_FILE_BYTES
    with pytest.raises(SubmissionError, match="more than 100,000 values"):
        load_untrusted_yaml(doc)


def test_name_with_control_chars_is_cleaned_in_messages() -> None:
    with pytest.raises(SubmissionError) as info:
        load_untrusted_yaml("", name="evil\x1b[2J\u202e.yaml")
    assert "\x1b" not in str(info.value) and "\u202e" not in str(info.value)


def test_duplicate_key_message_does_not_echo_control_chars() -> None:
    with pytest.raises(SubmissionError) as info:
        load_untrusted_yaml('"a\\e[31mb": 1\n"a\\e[31mb": 2\n')
    assert "\x1b" not in str(info.value)


def test_unexpected_internal_errors_become_submission_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def boom(self: object) -> None:
        raise ValueError("exceeds the limit (4300 digits)")

    monkeypatch.setattr(yamlsafe, "_CParser", None)  # the pure-Python path
    monkeypatch.setattr(StringOnlyLoader, "get_event", boom)
    with pytest.raises(SubmissionError, match=r"could not be read \(ValueError"):
        load_untrusted_yaml("q: x\n")
    for exc in (RecursionError(), MemoryError()):

        def raiser(self: object, exc: BaseException = exc) -> None:
            raise exc

        monkeypatch.setattr(StringOnlyLoader, "get_event", raiser)
        with pytest.raises(SubmissionError):
            load_untrusted_yaml("q: x\n")


class _BrokenCParser:
    """Stands in for libyaml's parser when it fails in a way the pure parser does not."""

    def __init__(self, text: str) -> None:
        self.text = text

    def get_event(self) -> None:
        raise ValueError("libyaml failed")


def test_c_parser_failure_falls_back_to_the_pure_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlsafe, "_CParser", _BrokenCParser)
    assert load_untrusted_yaml("q: no\n") == {"q": "no"}
    with pytest.raises(SubmissionError, match="line 2: duplicate key 'q'"):
        load_untrusted_yaml("q: 1\nq: 2\n")


def _outcome(text: str | bytes, monkeypatch: pytest.MonkeyPatch, c_parser: bool) -> object:
    """What one parser makes of ``text``: the value, or the refusal's message."""
    with monkeypatch.context() as patch:
        if not c_parser:
            patch.setattr(yamlsafe, "_CParser", None)
        try:
            return load_untrusted_yaml(text, name="f")
        except SubmissionError as exc:
            return f"refused: {exc}"


PARITY = [
    *[pytest.param(f"a: {text}\n", id=f"scalar-{id_}") for id_, text, _ in SCALARS],
    *[pytest.param(doc, id=f"hostile-{id_}") for id_, doc, *_ in HOSTILE],
    pytest.param("a: " + "[" * 200_000, id="deep-200000"),
    pytest.param("a: [" + ",".join(["x"] * 120_000) + "]", id="too-many-nodes"),
    pytest.param('a: "' + "x" * 999_000 + '"', id="1MB-scalar"),
    pytest.param("a: |\n  line one\n  line two\nb: >\n  folded\n  text\n", id="blocks"),
    pytest.param("a:\n\t- x\n", id="tab"),
    pytest.param("a: 'it''s'\nb: \"\\u00e9\\x41\"\n", id="escapes"),
]


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")
@pytest.mark.parametrize("text", PARITY)
def test_c_and_pure_parsers_agree(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _outcome(text, monkeypatch, True) == _outcome(text, monkeypatch, False)


def test_require_mapping_false_allows_lists() -> None:
    data = load_untrusted_yaml("- {reference: x, answer: no}\n", require_mapping=False)
    assert data == [{"reference": "x", "answer": "no"}]


# --- files --------------------------------------------------------------------------------


def test_load_file(tmp_path: Path) -> None:
    path = tmp_path / "alice.yaml"
    path.write_text("student: alice\nanswers: {p: {a: '1'}}\n", encoding="utf-8")
    assert load_untrusted_file(path) == {"student": "alice", "answers": {"p": {"a": "1"}}}


def test_load_file_reads_at_most_limit_plus_one(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.write(b"q: x\n")
        handle.truncate(MAX_FILE_BYTES * 50)  # sparse: cheap on disk
    with pytest.raises(SubmissionError, match=f"{MAX_FILE_BYTES + 1:,} bytes"):
        load_untrusted_file(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(SubmissionError, match="cannot open"):
        load_untrusted_file(tmp_path / "nope.yaml")
    with pytest.raises(SubmissionError, match=r"not a regular file|cannot"):
        load_untrusted_file(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo") or sys.platform == "win32", reason="no FIFOs")
def test_fifo_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(SubmissionError, match="not a regular file"):
        load_untrusted_file(fifo)


# --- fuzzing: nothing but SubmissionError escapes -----------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=300),
        st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>?'\"#%@`,\n\t \\~<=")), max_size=200),
    )
)
def test_fuzz_only_submission_errors(data: bytes | str) -> None:
    try:
        value = load_untrusted_yaml(data)
    except SubmissionError as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(value, dict) and _strings_only(value)


# --- conformance: the shared adversarial anchors -----------------------------------------


def _anchor_documents() -> list[Any]:
    path = ANCHORS / "adversarial_sample.yaml"
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [pytest.param(d, id=str(d.get("id"))) for d in data.get("yaml_documents", [])]


_DOCS = _anchor_documents()


@pytest.mark.conformance
@pytest.mark.parametrize("case", _DOCS or [pytest.param(None, id="absent")])
def test_anchor_yaml_documents(case: dict[str, Any] | None) -> None:
    if case is None:
        pytest.skip(
            "../shared/anchors not found: "
            "conformance suite needs the shared folder beside the checkout"
        )
    marker = Path("/tmp") / f"hwgrade_pwned_{str(case['id']).replace('-', '')}"
    try:
        value = load_untrusted_yaml(case["document"], name=str(case["id"]))
    except SubmissionError as exc:
        assert "\n" not in str(exc)
        outcome = "rejected"
    else:
        assert _strings_only(value), value
        outcome = "loaded"
    assert not marker.exists()
    acceptable = {case.get("expect"), *case.get("also_ok", [])}
    if acceptable <= {"rejected"} and outcome == "loaded":
        # The documents are flat question -> answer mappings. A load is only acceptable
        # when an answer is itself a mapping, which grading refuses ("not a mapping"),
        # e.g. `q1: {x}`; every other must-reject trick has to stop at load time.
        assert any(isinstance(v, dict) for v in value.values()), (
            f"{case['id']} should be refused, loaded {value!r}"
        )


# --- codebase invariants (SECURITY.md): no dynamic code, no unsafe YAML loaders ------------

ROOT = Path(__file__).resolve().parents[1]
BANNED_BUILTINS = {"eval", "exec", "compile", "__import__"}  # as bare names or builtins.x
BANNED_ANYWHERE = {"eval", "exec", "parse_expr", "lambdify"}
BANNED_YAML = {"load", "unsafe_load", "full_load", "load_all", "unsafe_load_all", "full_load_all"}


def _source_files() -> list[Path]:
    return sorted(
        p for folder in ("grader", "solver", "hwgrade") for p in (ROOT / folder).rglob("*.py")
    )


@pytest.mark.parametrize("path", _source_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_dynamic_code_or_unsafe_yaml(path: Path) -> None:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        owner = (
            func.value.id
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
            else ""
        )
        where = f"{path.relative_to(ROOT)}:{node.lineno}"
        banned = name in BANNED_ANYWHERE or (
            name in BANNED_BUILTINS and (isinstance(func, ast.Name) or owner == "builtins")
        )
        assert not banned, f"{where}: {name}() must not be used"
        if owner == "yaml" and name in BANNED_YAML:
            uses_string_loader = any(
                kw.arg == "Loader" and "StringOnlyLoader" in ast.unparse(kw.value)
                for kw in node.keywords
            ) or any("StringOnlyLoader" in ast.unparse(a) for a in node.args[1:])
            assert uses_string_loader, f"{where}: yaml.{name} with an unsafe loader"
