"""What a person reads on a page: its text without tags, attributes, scripts or styles."""

import re
from html.parser import HTMLParser

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_HIDDEN = {"script", "style", "template"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in _HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html):
    """The page's text, whitespace collapsed (a no-break space stays one)."""
    parser = _Text()
    parser.feed(html)
    return re.sub(r"[ \t\r\n]+", " ", " ".join(parser.parts))


def iso_dates(html):
    """YYYY-MM-DD dates a person would read on the page (attributes and URLs left out)."""
    return ISO_DATE.findall(visible_text(html))
