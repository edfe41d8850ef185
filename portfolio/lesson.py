"""Day READMEs as HTML: Markdown with fenced code and tables, raw HTML shown as text.

Links are rewritten for the web page: a link to another day's folder or README opens that day's
page, a link to any other file in the repository points at it under ``repo_url`` (its GitHub
address, say) or, without one, is kept as plain text; links with a scheme other than http, https
or mailto are dropped.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE
from markupsafe import Markup

SAFE_SCHEMES = {"http", "https", "mailto"}
_DAY_TARGET = re.compile(r"^(day\d\d)(?:/(?:README\.md)?)?$")
_LEADING_H1 = re.compile(r"\A#[ \t]+[^\n]*\n+")
#: Code blocks and tables wider than a phone scroll inside their own box, which a keyboard can
#: only scroll once it can focus it. Raw HTML in a README is escaped, so these tags are Markdown's.
_SCROLL_BOXES = (
    ("<pre>", '<pre tabindex="0">'),
    ("<table>", '<div class="table-scroll" tabindex="0"><table>'),
    ("</table>", "</table></div>"),
)


def render_lesson(body: str, folder: str, repo_url: str = "") -> Markup:
    """Render the Markdown ``body`` of ``folder``/README.md (its ``# Day NN`` heading dropped,
    since the page shows the front matter as its header) to safe HTML."""
    md = markdown.Markdown(extensions=["fenced_code", "tables", "toc", "sane_lists"])
    # Without these two, raw HTML in a README would be passed through into the page.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(RepoLinkRewriter(md, folder, repo_url), "repo_links", 5)
    html = md.convert(_LEADING_H1.sub("", body.lstrip(), count=1))
    for tag, focusable in _SCROLL_BOXES:
        html = html.replace(tag, focusable)
    return Markup(html)


def resolve_repo_link(target: str, folder: str, repo_url: str = "") -> str | None:
    """Where a link in ``folder``/README.md to ``target`` should point on the web page.

    Returns the new address, the target unchanged when it is external or an in-page anchor, or
    None when it should become plain text (an unsafe scheme, a path outside the repository, or a
    repository file with no ``repo_url`` to show it).
    """
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return target if parts.scheme.lower() in SAFE_SCHEMES else None
    if not parts.path:
        return target
    # A leading "/" means the repository root, as it does in a README on GitHub.
    joined = parts.path.lstrip("/") if parts.path.startswith("/") else f"{folder}/{parts.path}"
    path = posixpath.normpath(joined)
    if path == ".." or path.startswith("../"):
        return None
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    day = _DAY_TARGET.match(path)
    if day:
        return f"/days/{day.group(1)}{fragment}"
    if not repo_url:
        return None
    query = f"?{parts.query}" if parts.query else ""
    return f"{repo_url.rstrip('/')}/{'' if path == '.' else path}{query}{fragment}"


class RepoLinkRewriter(Treeprocessor):
    """Point a README's links and images where the web page can follow them."""

    def __init__(self, md: markdown.Markdown, folder: str, repo_url: str) -> None:
        super().__init__(md)
        self.folder = folder
        self.repo_url = repo_url

    def run(self, root: ET.Element) -> None:
        """Rewrite every ``a`` and ``img`` under ``root`` in place."""
        for link in root.iter("a"):
            href = link.get("href", "")
            if href.startswith(AMP_SUBSTITUTE):  # an e-mail autolink, already entity-encoded
                continue
            target = resolve_repo_link(href, self.folder, self.repo_url)
            if target is None:
                link.tag = "span"
                link.attrib.clear()
                link.set("class", "repo-path")
            else:
                link.set("href", target)
        for image in root.iter("img"):
            target = resolve_repo_link(image.get("src", ""), self.folder, self.repo_url)
            if target is None or target.startswith("/days/"):
                alt = image.get("alt", "")
                image.tag = "span"
                image.attrib.clear()
                image.set("class", "repo-path")
                image.text = f"[image: {alt}]" if alt else "[image]"
            elif self.repo_url and target.startswith(self.repo_url.rstrip("/")):
                # A file page on GitHub is HTML; ?raw=true redirects to the image itself.
                image.set("src", f"{target}{'&' if '?' in target else '?'}raw=true")
            else:
                image.set("src", target)
