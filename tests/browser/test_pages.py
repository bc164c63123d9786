"""A real browser (Debian's chromium through Playwright) reads the pages as a person would (issue 6):
home → search 森林防火 → a duty with departments → one department → back → its township.

Screenshots go to this test's tmp_path (printed with -s), phone-sized, so a person can check
that the Chinese renders and the layout holds on a small screen.
"""

from __future__ import annotations


def test_search_duty_department_township(browser, live_server, tmp_path):
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page.set_default_timeout(15_000)

    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert "履行职责事项清单" in page.locator("main").inner_text()
    for target in ("/sparql", "/dumps/", "/.well-known/void"):
        assert page.locator(f'a[href="{target}"]').count() >= 1
    page.screenshot(path=tmp_path / "1-home.png", full_page=True)

    page.locator("main form.search input[name=q]").fill("森林防火")
    page.locator("main form.search button").click()
    page.wait_for_url("**/search?q=*")
    results = page.locator("ul.results li:has(a[href*='/doc/duty/'])")
    assert results.count() > 0
    # Titles and responsibility texts are searched (issue 13): each result shows where the text is.
    for text in results.all_inner_texts():
        assert "森林防火" in text  # in the title, or in the quoted responsibility text (issue 11)
    assert set(page.locator("ul.results li span.kind").all_inner_texts()) == {"事项"}
    page.screenshot(path=tmp_path / "2-search.png", full_page=True)

    # A cooperative or reclaimed duty names departments; the bundled samples have a reclaimed one.
    with_departments = page.locator("ul.results li a[href*='/cooperative/'], ul.results li a[href*='/reclaimed/']")
    title = with_departments.first.inner_text()
    with_departments.first.click()
    page.wait_for_url("**/doc/duty/**")
    assert page.locator("h1").inner_text() == title
    departments = page.locator("dl.duty dd a[href*='/doc/org/']")
    assert departments.count() >= 1
    assert page.locator("section.sources a[href*='/source/']").first.get_attribute("href").count("#line=") == 1
    page.screenshot(path=tmp_path / "3-duty.png", full_page=True)
    duty_url = page.url

    department_name = departments.first.inner_text()
    departments.first.click()
    page.wait_for_url("**/doc/org/**")
    assert page.locator("h1").inner_text() == department_name
    # The department page lists the duty we came from, under its township.
    assert page.locator(f"section.duties a[href='{duty_url[len(live_server.url):]}']").count() == 1
    page.screenshot(path=tmp_path / "4-department.png", full_page=True)

    page.go_back()
    page.wait_for_url(duty_url)
    township = page.locator("nav.crumbs li a").last
    township_name = township.inner_text()
    township.click()
    page.wait_for_url("**/doc/division/**")
    assert page.locator("h1").inner_text() == township_name
    assert page.locator("article.list-summary").count() == 3
    assert page.locator("nav.crumbs li").count() >= 3  # province › prefecture › county › township
    page.screenshot(path=tmp_path / "5-township.png", full_page=True)

    english = browser.new_page(viewport={"width": 1024, "height": 800})
    english.goto(page.url + "?lang=en")
    assert english.locator("html").get_attribute("lang") == "en"
    assert english.locator("h1 [lang=zh]").count() == 1  # Chinese label kept, marked as Chinese
    english.screenshot(path=tmp_path / "6-township-en.png", full_page=True)
    print(f"screenshots in {tmp_path}")
