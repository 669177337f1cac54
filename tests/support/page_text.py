"""A page's words as a reader sees them, for tests that look at a page's HTML."""

from __future__ import annotations

import html
import re

import requests


def visible(page: requests.Response | str) -> str:
    """A page's words as a reader sees them: no markup (a store's name kept on one line by a
    ``<span>`` reads on in its sentence), entities read, spaces collapsed."""
    text = page if isinstance(page, str) else page.text
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"</?span\b[^>]*>", "", text)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())
