"""Parse untrusted XML without entity expansion, DTDs or network access."""
from __future__ import annotations

from lxml import etree

from .errors import Problem

_PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                       huge_tree=False, remove_comments=False)


class UnsafeXml(ValueError):
    """The document is not well-formed or uses features we refuse (DTDs, entities)."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def parse(data: bytes, resource: str) -> etree._Element:
    """Return the root element of `data`, refusing DOCTYPEs so no entity can ever expand."""
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        line, column = (e.position if e.position else (None, None))
        raise UnsafeXml(Problem(f"not well-formed XML: {e.msg}", resource, line=line, column=column)) from e
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeXml(Problem("DOCTYPE declarations are not allowed (entities are never expanded)",
                                resource, line=1))
    return root
