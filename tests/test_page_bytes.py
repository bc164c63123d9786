"""The parts of a duty page written in Python rather than by the template (issue 13) write the template's bytes.

bench/deref_profile.py and bench/deref_bench.py compare whole pages between two commits; these tests pin the
pieces against what they replaced, on inputs the tests' store may not hold (every character HTML escapes, a
member without a title, score or list, a township without a label, English, a mount point).
"""

from __future__ import annotations

import pytest
from conftest import make_config
from markupsafe import escape

from luzhi.server.app import create_app
from luzhi.server.describe import label_text
from luzhi.server.i18n import lang
from luzhi.server.views.common import html_text
from luzhi.server.views.comparing import elsewhere_items, list_name
from luzhi.store.kind_samples import SampleMember

TRICKY = ["", "plain", "中文 & <b>“引号”</b>", "a'b\"c", "&amp; already", "<<>>&&''\"\"", "x\u2028y\n\t", "ü → ∞"]


@pytest.mark.parametrize("text", TRICKY)
def test_html_text_escapes_as_markupsafe(text):
    assert html_text(text) == str(escape(text))


# The template's loop before `elsewhere_items` (server/templates/duty.html at 4805de7).
OLD_LOOP = ('{% for r in elsewhere %}<li>{{ r.town_label }} · <span class="tag">{{ r.list }}</span> '
            '<a href="{{ href(r.other) }}" lang="zh">{{ r.title }}</a>{% if r.otherScore is defined and '
            'r.otherScore is not none %} <small>{{ r.otherScore }}</small>{% endif %}</li>{% endfor %}')


@pytest.fixture(scope="module")
def app(built_store):
    app = create_app(make_config(built_store))
    yield app
    app.extensions["luzhi.live"].current.close()


@pytest.mark.parametrize("query", ["", "?lang=en"])
@pytest.mark.parametrize("root", ["", "/mounted"])
def test_elsewhere_items_write_the_old_loop(app, built_store, query, root):
    from rdflib import Literal

    base = built_store.base
    members = [
        SampleMember(f"{base}/id/duty/1/basic/2", f"{base}/id/division/1", None,
                     "https://w3id.org/luzhi/def#BasicList", "森林 & <防火>", "0.875"),
        SampleMember(f"{base}/id/duty/2/cooperative/10", f"{base}/id/division/2", None,
                     "https://w3id.org/luzhi/def#CooperativeList", "a 'quoted' \"title\"", None),
        SampleMember(f"{base}/id/duty/3/x/1", f"{base}/id/division/3", None, None, None, None),
        SampleMember("https://elsewhere.example/duty?a=1&b=<2>", f"{base}/id/division/4", None,
                     "https://w3id.org/luzhi/def#ReclaimedList", "外部", "1"),
    ]
    labels = {f"{base}/id/division/1": (Literal("一镇 & <二>", lang="zh"),),
              f"{base}/id/division/2": (Literal("二镇", lang="zh"), Literal("Two town", lang="en"))}
    with app.test_request_context(f"/doc/duty/0/basic/1{query}", base_url=f"http://localhost{root}"):
        rows = [{"other": m.duty, "town_label": label_text(labels, m.township, language=lang()),
                 "list": list_name(m.list_type),
                 **({"title": m.title} if m.title is not None else {}),
                 **({"otherScore": m.score} if m.score is not None else {})} for m in members]
        old = app.jinja_env.from_string(OLD_LOOP).render(elsewhere=rows)
        assert str(elsewhere_items(members, labels)) == old
        assert ("Two town" in old) == (query == "?lang=en") and f'href="{root}/doc/duty/1/basic/2' in old


def test_messages_are_what_t_says(app):
    """base.html reads its interface text from `messages(language)` once, where it called `t` per message."""
    from luzhi.server.i18n import LANGUAGES, MESSAGES, messages, t

    for language in LANGUAGES:
        with app.test_request_context("/" + ("?lang=en" if language == "en" else "")):
            assert {key: messages(language)[key] for key in MESSAGES} == {key: t(key) for key in MESSAGES}
