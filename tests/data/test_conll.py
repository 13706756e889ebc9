"""The strict CoNLL reader: every accepted form, every rejected line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from label_sets import LABELS

from tweetner_utils import ConllFormatError, Corpus, Tweet, read_conll, write_conll
from tweetner_utils.data.conll import MAX_LINE_CHARS, parse_conll_bytes


def write(tmp_path: Path, data: bytes, name: str = "sample.conll") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


GOOD = b"Made\tO\nit\tO\nto\tO\nNew\tB-geo-loc\nYork\tI-geo-loc\n\n@bob\tO\nhi\tO\n"


def test_reads_tweets_tokens_and_tags(tmp_path: Path) -> None:
    corpus = read_conll(write(tmp_path, GOOD))
    assert len(corpus) == 2
    assert corpus.n_tokens == 7
    assert corpus[0].tokens == ("Made", "it", "to", "New", "York")
    assert corpus[0].tags == ("O", "O", "O", "B-geo-loc", "I-geo-loc")
    assert corpus[1].line == 7
    assert corpus.repaired == 0


@pytest.mark.parametrize(
    "variant",
    [
        GOOD.replace(b"\n", b"\r\n"),  # CRLF line ends
        b"\xef\xbb\xbf" + GOOD,  # UTF-8 byte-order mark
        GOOD.replace(b"\t", b" "),  # spaces instead of tabs
        GOOD.replace(b"\t", b" \t  "),  # mixed tabs and spaces
        GOOD.replace(b"\n", b"  \n"),  # trailing whitespace
        b"\n\n" + GOOD + b"\n\n\n",  # extra blank lines
        GOOD.rstrip(b"\n"),  # no newline at the end
        GOOD.replace(b"\n\n", b"\n\t\n"),  # a break that is a single tab (WNUT17's train)
        b"-DOCSTART- -X- -X- O\n\n" + GOOD.replace(b"\n\n", b"\n\n-DOCSTART-\tO\n"),  # CoNLL-2003 markers
    ],
    ids=["crlf", "bom", "spaces", "mixed", "trailing", "extra-blank", "no-final-newline", "tab-break", "docstart"],
)
def test_tolerated_variants_read_the_same(tmp_path: Path, variant: bytes) -> None:
    assert read_conll(write(tmp_path, variant)) == read_conll(write(tmp_path, GOOD, "good"))


@pytest.mark.parametrize(
    ("data", "line", "reason"),
    [
        (b"Made\tO\nit\n", 2, "missing tag column"),
        (b"Made\tO\nNew York\tB-geo-loc\tX\n", 2, "columns"),
        (b"Made\tb-person\n", 1, "is not O or B-/I-"),
        (b"Made\tE-person\n", 1, "is not O or B-/I-"),
        (b"Made\tO\nit\tI-person\n", 2, "I-person after O"),
        (b"Hi\tB-person\nthere\tI-geo-loc\n", 2, "I-geo-loc after B-person"),
        (b"Bob\tI-person\n", 1, "at the start of a tweet"),
        (b"Made\tO\ncaf\xe9\tO\n", 2, "invalid UTF-8"),
        (b"Ma\x00de\tO\n", 1, "control character"),
        (b"x" * (MAX_LINE_CHARS + 10) + b"\tO\n", 1, "characters long"),
        (b"ok\tO\n\nObama\tB-", 3, "is not O or B-/I-"),
        (b"\xff\xfeM\x00\t\x00O\x00", 1, "UTF-16"),
    ],
    ids=[
        "no-tag",
        "extra-column",
        "lowercase-prefix",
        "bioes",
        "i-after-o",
        "type-switch",
        "i-first",
        "latin1",
        "nul",
        "long-line",
        "truncated",
        "utf16",
    ],
)
def test_malformed_line_names_file_line_and_text(tmp_path: Path, data: bytes, line: int, reason: str) -> None:
    path = write(tmp_path, data)
    with pytest.raises(ConllFormatError) as caught:
        read_conll(path)
    error = caught.value
    assert error.path == str(path)
    assert error.line == line
    assert reason in error.reason
    assert str(error).startswith(f"{path}:{line}: ")


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"", "empty"), (b"\n\n  \n", "only blank lines")],
    ids=["empty", "blank-only"],
)
def test_files_without_tweets_are_rejected(tmp_path: Path, data: bytes, reason: str) -> None:
    with pytest.raises(ConllFormatError, match=reason):
        read_conll(write(tmp_path, data))


def test_directory_and_missing_file_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConllFormatError, match="is a directory"):
        read_conll(tmp_path)
    with pytest.raises(ConllFormatError, match="no such file"):
        read_conll(tmp_path / "absent.conll")


def test_symlink_loop_is_a_clear_error(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(ConllFormatError) as caught:
        read_conll(loop)
    assert caught.value.path == str(loop)
    assert caught.value.line is None


def test_error_text_is_shortened(tmp_path: Path) -> None:
    with pytest.raises(ConllFormatError) as caught:
        read_conll(write(tmp_path, b"y" * 5000 + b"\n"))
    assert len(caught.value.text) <= 80


def test_repair_turns_entity_initial_i_into_b_and_counts(tmp_path: Path) -> None:
    data = b"Bob\tI-person\nin\tO\nNew\tI-geo-loc\nYork\tI-geo-loc\nTV\tI-tvshow\n"
    corpus = read_conll(write(tmp_path, data), repair=True)
    assert corpus[0].tags == ("B-person", "O", "B-geo-loc", "I-geo-loc", "B-tvshow")
    assert corpus.repaired == 3


def test_repair_changes_nothing_in_valid_files(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    assert read_conll(path, repair=True) == read_conll(path)
    assert read_conll(path, repair=True).repaired == 0


def test_parse_bytes_names_the_given_source() -> None:
    with pytest.raises(ConllFormatError, match=r"^<stdin>:1: "):
        parse_conll_bytes(b"bad\n", "<stdin>")


def test_tweet_rejects_misaligned_tags() -> None:
    with pytest.raises(ValueError, match="2 tokens but 1 tags"):
        Tweet(("a", "b"), ("O",))


def test_write_keeps_previous_file_when_interrupted(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)

    def tweets():
        yield Tweet(("a",), ("O",))
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_conll(path, tweets())
    assert path.read_bytes() == GOOD
    assert list(tmp_path.iterdir()) == [path]


_token = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")), min_size=1, max_size=12
).filter(lambda s: s.strip() == s and "\ufeff" not in s)


@st.composite
def _tweets(draw) -> Tweet:
    tokens = draw(st.lists(_token, min_size=1, max_size=8).filter(lambda t: t[0] != "-DOCSTART-"))
    tags, previous = [], "O"
    for _ in tokens:
        tag = draw(st.sampled_from(LABELS))
        if tag.startswith("I-") and previous[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        tags.append(tag)
        previous = tag
    return Tweet(tuple(tokens), tuple(tags))


@settings(max_examples=60, deadline=None)
@given(st.lists(_tweets(), min_size=1, max_size=6))
def test_write_then_read_is_identity(tmp_path_factory, tweets: list[Tweet]) -> None:
    path = tmp_path_factory.mktemp("roundtrip") / "out.conll"
    write_conll(path, tweets)
    first = read_conll(path)
    assert list(first) == tweets
    write_conll(path, first)
    assert read_conll(path) == first
    assert isinstance(first, Corpus)


def test_tweet_ids_are_written_and_read_back(tmp_path: Path) -> None:
    tweets = [Tweet(("Bob",), ("B-person",), id="task-7"), Tweet(("hi",), ("O",))]
    write_conll(tmp_path / "ids.conll", tweets)
    back = read_conll(tmp_path / "ids.conll")
    assert [t.id for t in back] == ["task-7", ""] and list(back) == tweets
    assert back[0].line == 2 and back[0].name == "tweet task-7 (line 2)"
    with pytest.raises(ValueError, match="holds whitespace"):
        write_conll(tmp_path / "bad.conll", [Tweet(("a",), ("O",), id="two words")])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a\tO\n# id = 5\nb\tO\n", r":2: an id line inside a tweet"),
        (b"# id = 5\n# id = 6\na\tO\n", r":2: a second id line"),
        (b"a\tO\n\n# id = 5\n", "the file ends after the id line of '5'"),
        (b"# a comment\na\tO\n", r":1: 3 columns"),
    ],
)
def test_misplaced_id_lines_are_rejected(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(ConllFormatError, match=message):
        read_conll(write(tmp_path, data))


def test_any_bio_type_is_read_and_the_corpus_decides_which_are_allowed(tmp_path: Path) -> None:
    corpus = read_conll(write(tmp_path, b"Avatar\tB-creative-work\n2\tI-creative-work\nat\tO\nIKEA\tB-corporation\n"))
    assert corpus[0].tags == ("B-creative-work", "I-creative-work", "O", "B-corporation")


def test_tokens_only_ignores_the_tag_column_or_its_absence(tmp_path: Path) -> None:
    data = b"Made\tb-junk\tX\nit\n\nhi\tI-person\n"
    corpus = read_conll(write(tmp_path, data), tokens_only=True)
    assert [t.tokens for t in corpus] == [("Made", "it"), ("hi",)]
    assert all(tag == "O" for t in corpus for tag in t.tags)
    with pytest.raises(ConllFormatError, match="3 columns"):  # the strict reading refuses the same file
        read_conll(write(tmp_path, data))


def test_tokens_only_still_refuses_a_token_cut_in_two(tmp_path: Path) -> None:
    with pytest.raises(ConllFormatError) as caught:
        read_conll(write(tmp_path, b"ok\tO\nNew York\tB-geo-loc\n"), tokens_only=True)
    assert caught.value.line == 2 and "holds a space" in caught.value.reason


def test_docstart_breaks_only_where_a_tweet_would_start(tmp_path: Path) -> None:
    corpus = read_conll(write(tmp_path, b"-DOCSTART-\tO\nhi\tO\n-DOCSTART-\tO\n"))
    assert [t.tokens for t in corpus] == [("hi", "-DOCSTART-")]
    with pytest.raises(ValueError, match="would be read as a break"):
        write_conll(tmp_path / "out.conll", [Tweet(("-DOCSTART-", "x"), ("O", "O"))])
    assert not (tmp_path / "out.conll").exists()
