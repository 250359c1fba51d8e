"""Month document ids, checked before anything is fetched: MSRC's ids are a month ("2020-Dec") or, rarely,
a month's extra document ("2017-May-B"); anything else is refused with the form expected."""

from __future__ import annotations

import pytest

from sumtui.catalog.settings import document_id


@pytest.mark.parametrize("text, expected", [
    ("2020-Dec", "2020-Dec"),
    ("2020-dec", "2020-Dec"),
    (" 2021-JAN ", "2021-Jan"),
    ("2017-May-B", "2017-May-B"),
])
def test_document_ids(text, expected):
    assert document_id(text) == expected


@pytest.mark.parametrize("text", ["2025-Fbe", "2025-13", "25-Jan", "2025-January", "2025-Jan-", "2025-Jan/../x", ""])
def test_not_document_ids(text):
    with pytest.raises(ValueError, match="is not a month document like 2020-Dec"):
        document_id(text)
