import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stride.content.markdown import reading_minutes, render_markdown, toc_nest


class _Collector(HTMLParser):
    """Collect every tag and attribute of an HTML fragment, as a browser would parse it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag


def parse(html: str) -> list[tuple[str, dict[str, str]]]:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.tags


def _scheme(url: str) -> str:
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", url).lower()
    return cleaned.split(":", 1)[0] if ":" in cleaned.split("/", 1)[0] else ""


def assert_safe(html: str) -> None:
    assert "<script" not in html.lower()
    for tag, attrs in parse(html):
        assert tag not in {"script", "style", "iframe", "object", "embed", "svg", "math", "form"}
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "style"
            if name in {"href", "src"}:
                assert _scheme(value) in {"", "http", "https", "mailto", "tel"}, value
                if name == "src":
                    assert _scheme(value) in {"", "http", "https"}, value


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1) )",
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    '<iframe src="https://evil.example"></iframe>',
    '<p style="position:fixed;top:0">covered</p>',
    '<div onclick="alert(1)" onmouseover="alert(2)">hover</div>',
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    '<object data="x.swf"></object><embed src="x.swf">',
    "<style>body{display:none}</style>",
    '<form action="https://evil.example"><input name="p"></form>',
    "<!-- <script>alert(1)</script> -->",
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<h2 id="main" onclick="x">Hijack the main id</h2>',
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_is_neutralised(source):
    html = render_markdown(source).html
    assert_safe(html)
    lowered = html.lower()
    assert "javascript:" not in lowered
    assert "onerror" not in lowered
    assert "alert(" not in lowered


def test_script_content_is_dropped_not_shown():
    assert "alert" not in render_markdown("<script>alert(1)</script>Safe").html
    assert "Safe" in render_markdown("<script>alert(1)</script>Safe").html


def test_javascript_link_keeps_its_text_but_loses_its_href():
    html = render_markdown("[click me](javascript:alert(1))").html
    assert "click me" in html
    assert "href" not in html


def test_image_onerror_removed_and_alt_added():
    html = render_markdown("<img src=x onerror=alert(1)>").html
    assert parse(html) == [("img", {"src": "x", "alt": ""})]


def test_style_attributes_and_iframes_removed():
    html = render_markdown('<p style="color:red">Hi</p><iframe src="https://x">t</iframe>').html
    assert "style" not in html
    assert "iframe" not in html
    assert "Hi" in html


def test_external_links_get_rel_noopener_internal_links_do_not():
    tags = parse(render_markdown("[in](/book/) [out](https://nhs.uk) [mail](mailto:a@b.c)").html)
    links = {attrs["href"]: attrs for tag, attrs in tags if tag == "a"}
    assert links["https://nhs.uk"]["rel"] == "noopener noreferrer"
    assert "rel" not in links["/book/"]
    assert "rel" not in links["mailto:a@b.c"]


def test_image_sources_limited_to_http_and_relative():
    tags = parse(render_markdown("![a](/x.png) ![b](https://e.org/y.png) ![c](ftp://e/z.png)").html)
    assert [a.get("src") for tag, a in tags if tag == "img"] == [
        "/x.png",
        "https://e.org/y.png",
        None,
    ]


def test_tables_render_inside_a_focusable_scroll_box_without_inline_styles():
    html = render_markdown("| Exercise | Dose |\n|:--|--:|\n| Bridge | 5 |").html
    assert '<div class="table-scroll" role="region" aria-label="Table" tabindex="0"><table>' in html
    assert "<th>Exercise</th>" in html
    assert "style=" not in html


def test_headings_get_unique_stable_anchors_and_toc():
    source = "## Effective Exercises\n\ntext\n\n### Knee to chest\n\n## Effective Exercises\n"
    first, second = render_markdown(source), render_markdown(source)
    assert first == second
    assert first.toc == [
        (2, "Effective Exercises", "effective-exercises"),
        (3, "Knee to chest", "knee-to-chest"),
        (2, "Effective Exercises", "effective-exercises-2"),
    ]
    for _level, _text, anchor in first.toc:
        assert f'id="{anchor}"' in first.html


@pytest.mark.parametrize(
    "heading", ["snake_case_name", "背痛", "???", "Über Rücken", "-leading dash", "2024 update"]
)
def test_every_heading_keeps_an_anchor_the_toc_can_link_to(heading):
    rendered = render_markdown(f"## {heading}\n\n## {heading}")
    anchors = [entry.anchor for entry in rendered.toc]
    assert len(set(anchors)) == 2
    for anchor in anchors:
        assert f'id="{anchor}"' in rendered.html


def test_unsluggable_faq_heading_does_not_reuse_the_question_id():
    rendered = render_markdown("## ???", min_heading_level=4, anchor_prefix="faq-x-")
    assert 'id="faq-x-section"' in rendered.html


def test_heading_levels_never_skip_and_never_reach_h1():
    rendered = render_markdown("# Title\n\n#### Deep\n\n###### Deeper\n\n## Back up")
    levels = [int(tag[1]) for tag, _ in parse(rendered.html) if re.fullmatch(r"h\d", tag)]
    assert levels == [2, 3, 4, 2]


def test_heading_never_takes_a_page_landmark_id():
    rendered = render_markdown("## Main\n\n## Site search")
    assert [entry.anchor for entry in rendered.toc] == ["main-2", "site-search-2"]


def test_faq_answers_can_start_headings_lower_and_prefix_anchors():
    rendered = render_markdown("## Tip", min_heading_level=4, anchor_prefix="faq-x-")
    assert '<h4 id="faq-x-tip">Tip</h4>' in rendered.html


def test_toc_nests_h3_under_the_h2_before_it():
    nodes = toc_nest([(2, "A", "a"), (3, "B", "b"), (3, "C", "c"), (2, "D", "d")])
    assert [(n.anchor, [c.anchor for c in n.children]) for n in nodes] == [
        ("a", ["b", "c"]),
        ("d", []),
    ]


@pytest.mark.parametrize(
    ("words", "minutes"), [(0, 1), (1, 1), (200, 1), (201, 2), (400, 2), (401, 3), (1000, 5)]
)
def test_reading_time_rounds_up_with_a_minimum_of_one(words, minutes):
    assert reading_minutes(words) == minutes


def test_word_count_counts_body_words():
    assert render_markdown("## Two words\n\nthree more words").word_count == 5


_fragments = st.sampled_from(
    [
        "<script>",
        "</script>",
        "<img src=x ",
        " onerror=",
        " onclick='",
        "javascript:",
        "JaVaScRiPt:",
        "data:text/html,",
        "[x](",
        ")",
        "](",
        "![",
        "<a href=",
        '"',
        "'",
        ">",
        "<",
        "&#x09;",
        "&#106;",
        "\n\n",
        "## ",
        "| a |\n|---|\n",
        "<iframe>",
        "<svg>",
        "style=",
        "`",
        "<!--",
        "-->",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_fragments, st.text(max_size=12)), max_size=30).map("".join))
def test_arbitrary_input_never_yields_script_handlers_or_dangerous_urls(source):
    rendered = render_markdown(source)
    assert_safe(rendered.html)
    assert rendered.word_count >= 0
    for entry in rendered.toc:
        assert f'id="{entry.anchor}"' in rendered.html


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_never_yields_script_or_dangerous_attributes(source):
    assert_safe(render_markdown(source).html)
