"""Each page in its own language, over real HTTP (cold review 23): the Chinese validation report said "Violation",
its form 「上限 5000000 字节, 60.0 s.」; the 404 page was Chinese alone; English pages wrote full-width colons
("Search：", "Source document：", "found in the title：")."""

from __future__ import annotations

import re

import pytest
import requests
from test_validate_http import broken_sample

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def reports(live_server) -> dict[str, str]:
    files = {"file": ("broken.txt", broken_sample().encode("utf-8"), "text/plain")}
    answers = {lang: requests.post(f"{live_server.url}/validate", params={"lang": lang}, files=files, headers=HTML,
                                   timeout=120) for lang in ("zh", "en")}
    assert all(r.status_code == 200 and r.headers["Luzhi-Conforms"] == "false" for r in answers.values())
    return {lang: r.text for lang, r in answers.items()}


def _severities(html: str) -> set[str]:
    return set(re.findall(r'<li class="(?:violation|warning|info)"><strong>([^<]+)</strong>', html))


def test_the_report_names_severities_in_the_page_language(reports):
    assert "违规" in _severities(reports["zh"]) and not _severities(reports["zh"]) & {"Violation", "Warning", "Info"}
    assert "Violation" in _severities(reports["en"]) and not _severities(reports["en"]) & {"违规", "警告", "提示"}


def test_the_form_states_its_limits_in_each_language(live_server):
    size, seconds = f"{live_server.config.max_upload_bytes:,}", f"{live_server.config.validation_timeout:g}"
    zh = requests.get(f"{live_server.url}/validate", headers=HTML, timeout=60).text
    en = requests.get(f"{live_server.url}/validate?lang=en", headers=HTML, timeout=60).text
    assert f"上限 {size} 字节，{seconds} 秒。提交的内容不会写入数据库。" in zh, zh
    assert f"At most {size} bytes, {seconds} s. Nothing submitted is stored." in en, en
    assert " s." not in zh.split("上限", 1)[1].split("</small>", 1)[0]


def test_the_404_page_is_bilingual_and_english_with_lang_en(live_server):
    zh = requests.get(f"{live_server.url}/no-such-page", headers=HTML, timeout=60)
    en = requests.get(f"{live_server.url}/no-such-page?lang=en", headers=HTML, timeout=60)
    assert zh.status_code == en.status_code == 404
    assert "未找到" in zh.text and "Not found" in zh.text and "Nothing is published at this address" in zh.text
    assert "Not found" in en.text and "未找到" not in en.text and "此地址没有对应的资源" not in en.text


@pytest.mark.parametrize(("path", "params", "zh", "en"), [
    ("/search", {"q": "森林防火"}, "搜索：", "Search: "),
    ("/search", {"q": "森林防火"}, "见于名称：", "found in the title: "),
    ("/doc/division/210381121", {}, "原文：", "Source document: "),
])
def test_english_pages_write_ascii_colons(live_server, path, params, zh, en):
    chinese = requests.get(live_server.url + path, params=params, headers=HTML, timeout=60)
    english = requests.get(live_server.url + path, params={**params, "lang": "en"}, headers=HTML, timeout=60)
    assert chinese.status_code == english.status_code == 200
    assert zh in chinese.text, zh
    assert en in english.text and en.rstrip(": ") + "：" not in english.text, en


def test_english_pages_keep_english_in_every_footer_link(live_server):
    """The footer's endpoint, dumps and VoID links went back to Chinese from an English page (cold review 24)."""
    page = requests.get(f"{live_server.url}/sparql?lang=en", headers=HTML, timeout=60).text
    footer = page.split("<footer>", 1)[1].split("</footer>", 1)[0]
    links = re.findall(r'href="([^"]+)"', footer)
    assert len(links) == 5 and all(link.endswith("?lang=en") for link in links), links


def test_the_township_chart_tooltips_use_the_page_languages_colon(live_server):
    """「乡村振兴 · 基本履职: 19」 in a Chinese page's chart (cold review 24)."""
    zh = requests.get(f"{live_server.url}/doc/division/210381121", headers=HTML, timeout=60).text
    en = requests.get(f"{live_server.url}/doc/division/210381121?lang=en", headers=HTML, timeout=60).text
    tooltips = {lang: re.findall(r"<rect [^>]*><title>([^<]+)</title>", html)
                for lang, html in (("zh", zh), ("en", en))}
    assert tooltips["zh"] and all(re.search(r"：\d+$", tip) for tip in tooltips["zh"]), tooltips["zh"][:3]
    assert tooltips["en"] and all(re.search(r"[^：]: \d+$", tip) for tip in tooltips["en"]), tooltips["en"][:3]
