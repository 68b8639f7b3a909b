"""A Sistema's YAML read with the line of every key and item, so that each problem can name
its line; aliases (which let a few lines expand without bound) and nesting deeper than any
Sistema needs are refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

# --- YAML with line numbers -------------------------------------------------------------------


class LineDict(dict):  # type: ignore[type-arg]
    line: int
    key_lines: dict[str, int]
    # Set by the workbook reader on a scheda or part that lost a row to a problem already
    # reported (an item naming a part that does not exist): its totals are not checked.
    danneggiata: bool = False


class LineList(list):  # type: ignore[type-arg]
    line: int
    item_lines: list[int]


class LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the 1-based line of every mapping key and list item.

    A Sistema is plain data: aliases (which let a few lines expand without bound) are refused,
    and so is nesting deeper than any Sistema needs (the composer recurses once per level)."""

    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "gli alias («*nome») non sono ammessi in un Sistema", mark
            )
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, f"annidamento oltre {MAX_DEPTH} livelli", mark
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


MAX_DEPTH = 32  # levels of nesting: a Sistema needs six
MAX_NUMBER = Decimal(1_000_000)  # any score, weight or percentage of a Sistema
MAX_BYTES = 2**20  # of a Sistema's file


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "una chiave deve essere un nome, non un elenco", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
