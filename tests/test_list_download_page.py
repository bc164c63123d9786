"""A list's table downloads check `page` as its page and JSON do (cold review: `/doc/list/{code}/basic.csv?page=abc`,
`?page=-1` and `.xlsx?page=abc` answered 200 with the whole list where the page and the JSON said 400), over real
HTTP. A good page number still downloads the whole table."""

from __future__ import annotations

import pytest
import requests

LIST = "/doc/list/210381121/basic"


@pytest.mark.parametrize("ext", ["", ".json", ".csv", ".xlsx"])
@pytest.mark.parametrize("page", ["abc", "-1", "0"])
def test_a_page_that_is_no_page_number_is_400_in_every_format(live_server, ext, page):
    response = requests.get(f"{live_server.url}{LIST}{ext}", params={"page": page}, timeout=60)
    assert response.status_code == 400, (ext, page, response.text[:200])
    assert "page" in response.text


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_a_page_past_the_last_is_404_and_page_1_is_the_whole_table(live_server, ext):
    assert requests.get(f"{live_server.url}{LIST}{ext}", params={"page": "999"}, timeout=60).status_code == 404
    whole = requests.get(f"{live_server.url}{LIST}{ext}", timeout=60)
    first = requests.get(f"{live_server.url}{LIST}{ext}", params={"page": "1"}, timeout=60)
    assert whole.status_code == first.status_code == 200
    if ext == ".csv":
        assert first.content == whole.content and whole.text.count("\n") > 100
