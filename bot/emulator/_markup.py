"""Parse message formatting (HTML, MarkdownV2, Markdown) into plain text and entities.

Mirrors what the Bot API server does with ``parse_mode``: the text a user sees plus
``MessageEntity`` dicts with offsets in UTF-16 code units, and the same error messages
("can't parse entities: ...") for malformed markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MarkupError", "parse_formatted", "utf16_len"]


class MarkupError(ValueError):
    """Malformed markup; the message is the part after "Bad Request: "."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (the unit of Telegram entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


@dataclass
class _Open:
    """An entity whose end has not been seen yet."""

    type: str
    start: int  # UTF-16 offset in the output
    source_index: int  # index in the input, for error messages
    tag: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class _Output:
    """Accumulates plain text and finished entities."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.pos = 0
        self.entities: list[dict[str, Any]] = []

    def add(self, text: str) -> None:
        self.chars.append(text)
        self.pos += utf16_len(text)

    def close(self, entity: _Open) -> None:
        length = self.pos - entity.start
        if length <= 0:
            return
        data: dict[str, Any] = {"type": entity.type, "offset": entity.start, "length": length}
        data.update({k: v for k, v in entity.extra.items() if v is not None})
        self.entities.append(data)

    def text(self) -> str:
        return "".join(self.chars)


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ATTR_RE = re.compile(r"""\s*([a-zA-Z_-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def _unescape_html(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name.startswith("#x") or name.startswith("#X"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return _HTML_NAMED.get(name, m.group(0))

    return re.sub(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);", repl, text)


def _parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Output()
    stack: list[_Open] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch == "&":
            m = re.match(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);", source[i:])
            if m:
                out.add(_unescape_html(m.group(0)))
                i += len(m.group(0))
            else:
                out.add("&")
                i += 1
            continue
        if ch != "<":
            out.add(ch)
            i += 1
            continue
        offset = _byte_offset(source, i)
        if source.startswith("</", i):
            end = source.find(">", i)
            if end < 0:
                raise MarkupError(f"can't parse entities: Unclosed end tag at byte offset {offset}")
            name = source[i + 2 : end].strip().lower()
            if not stack:
                raise MarkupError(
                    f"can't parse entities: Unexpected end tag at byte offset {offset}"
                )
            top = stack[-1]
            if name != top.tag:
                raise MarkupError(
                    "can't parse entities: Unmatched end tag at byte offset "
                    f'{offset}, expected "</{top.tag}>", found "</{name}>"'
                )
            stack.pop()
            out.close(top)
            i = end + 1
            continue
        m = re.match(r"<([a-zA-Z0-9-]*)", source[i:])
        name = m.group(1).lower() if m else ""
        if name not in _HTML_TAGS:
            raise MarkupError(
                f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {offset}'
            )
        end = source.find(">", i)
        if end < 0:
            raise MarkupError(f"can't parse entities: Unclosed start tag at byte offset {offset}")
        attrs: dict[str, str] = {}
        for am in _ATTR_RE.finditer(source[i + 1 + len(name) : end]):
            if am.group(1):
                value = am.group(2) or am.group(3) or am.group(4) or ""
                attrs[am.group(1).lower()] = _unescape_html(value)
        kind = _HTML_TAGS[name]
        extra: dict[str, Any] = {}
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise MarkupError(
                f'can\'t parse entities: Tag "span" must have class "tg-spoiler" at byte offset '
                f"{offset}"
            )
        if name == "a":
            href = attrs.get("href", "")
            extra["url"] = href
            if not href:
                kind = "_plain"
        if name == "blockquote" and "expandable" in attrs:
            kind = "expandable_blockquote"
        if name == "tg-emoji":
            extra["custom_emoji_id"] = attrs.get("emoji-id")
        if name == "code" and stack and stack[-1].tag == "pre":
            lang = attrs.get("class", "")
            if lang.startswith("language-"):
                stack[-1].extra["language"] = lang[len("language-") :]
        stack.append(_Open(kind, out.pos, i, tag=name, extra=extra))
        i = end + 1
    if stack:
        raise MarkupError(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1].tag}"'
        )
    entities = [e for e in out.entities if e["type"] != "_plain"]
    # Telegram drops a nested <code> inside <pre>: the pre entity carries the language.
    pre_spans = {(e["offset"], e["length"]) for e in entities if e["type"] == "pre"}
    entities = [
        e
        for e in entities
        if not (e["type"] == "code" and (e["offset"], e["length"]) in pre_spans)
    ]
    return out.text(), entities


_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")


def _parse_markdown_v2(source: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Output()
    stack: list[_Open] = []
    i, n = 0, len(source)
    line_start = True

    def top_type() -> str | None:
        return stack[-1].type if stack else None

    while i < n:
        ch = source[i]
        in_code = top_type() in ("code", "pre")
        if ch == "\\" and i + 1 < n and 0 < ord(source[i + 1]) <= 126:
            out.add(source[i + 1])
            i += 2
            line_start = False
            continue
        if in_code:
            closing = "```" if top_type() == "pre" else "`"
            if source.startswith(closing, i):
                out.close(stack.pop())
                i += len(closing)
            else:
                out.add(ch)
                line_start = ch == "\n"
                i += 1
            continue
        if ch == "\n":
            if top_type() == "blockquote" and not source.startswith(">", i + 1):
                out.close(stack.pop())
            out.add(ch)
            i += 1
            line_start = True
            continue
        if ch not in _MDV2_RESERVED:
            out.add(ch)
            i += 1
            line_start = False
            continue
        top = top_type()
        # closing an entity
        if top == "bold" and ch == "*":
            out.close(stack.pop())
            i += 1
            continue
        if top == "italic" and ch == "_" and not source.startswith("__", i):
            out.close(stack.pop())
            i += 1
            continue
        if top == "underline" and source.startswith("__", i):
            out.close(stack.pop())
            i += 2
            continue
        if top == "strikethrough" and ch == "~":
            out.close(stack.pop())
            i += 1
            continue
        if top == "spoiler" and source.startswith("||", i):
            out.close(stack.pop())
            i += 2
            continue
        if top == "text_link" and ch == "]":
            entity = stack.pop()
            i += 1
            url = ""
            if i < n and source[i] == "(":
                j = i + 1
                chars: list[str] = []
                while j < n and source[j] != ")":
                    if source[j] == "\\" and j + 1 < n:
                        j += 1
                    chars.append(source[j])
                    j += 1
                if j >= n:
                    raise MarkupError(
                        "can't parse entities: Can't find end of a url at byte offset "
                        f"{_byte_offset(source, i)}"
                    )
                url = "".join(chars)
                i = j + 1
            if url:
                entity.extra["url"] = url
                out.close(entity)
            continue
        # opening an entity
        if ch == ">" and line_start:
            if top != "blockquote":
                stack.append(_Open("blockquote", out.pos, i))
            i += 1
            line_start = False
            continue
        opened: _Open | None = None
        step = 1
        if ch == "*":
            opened = _Open("bold", out.pos, i)
        elif ch == "_":
            if source.startswith("__", i):
                opened, step = _Open("underline", out.pos, i), 2
            else:
                opened = _Open("italic", out.pos, i)
        elif ch == "~":
            opened = _Open("strikethrough", out.pos, i)
        elif ch == "|" and source.startswith("||", i):
            opened, step = _Open("spoiler", out.pos, i), 2
        elif ch == "[":
            opened = _Open("text_link", out.pos, i)
        elif ch == "`":
            if source.startswith("```", i):
                nl = source.find("\n", i + 3)
                header = source[i + 3 : nl] if nl >= 0 else ""
                language = header.strip() if header.strip() and " " not in header.strip() else None
                opened = _Open("pre", out.pos, i, extra={"language": language})
                step = (nl - i + 1) if language is not None else 3
            else:
                opened = _Open("code", out.pos, i)
        if opened is None:
            raise MarkupError(
                f"can't parse entities: Character '{ch}' is reserved and must be escaped "
                "with the preceding '\\'"
            )
        stack.append(opened)
        i += step
        line_start = False
    if stack and stack[-1].type == "blockquote":
        out.close(stack.pop())
    if stack:
        entity = stack[-1]
        names = {
            "bold": "Bold",
            "italic": "Italic",
            "underline": "Underline",
            "strikethrough": "Strikethrough",
            "spoiler": "Spoiler",
            "text_link": "TextUrl",
            "code": "Code",
            "pre": "Pre",
        }
        raise MarkupError(
            f"can't parse entities: Can't find end of {names.get(entity.type, entity.type)} "
            f"entity at byte offset {_byte_offset(source, entity.source_index)}"
        )
    return out.text(), out.entities


def _parse_markdown(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Legacy "Markdown" mode: *bold*, _italic_, `code`, ```pre```, [text](url)."""
    out = _Output()
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch == "\\" and i + 1 < n and source[i + 1] in "_*`[":
            out.add(source[i + 1])
            i += 2
            continue
        if ch not in "_*`[":
            out.add(ch)
            i += 1
            continue
        offset = _byte_offset(source, i)
        error = MarkupError(
            f"can't parse entities: Can't find end of the entity starting at byte offset {offset}"
        )
        if ch == "[":
            end = source.find("]", i + 1)
            if end < 0:
                raise error
            label = source[i + 1 : end]
            start = out.pos
            out.add(label)
            i = end + 1
            if i < n and source[i] == "(":
                close = source.find(")", i)
                if close < 0:
                    raise error
                url = source[i + 1 : close]
                i = close + 1
                if url:
                    out.close(_Open("text_link", start, 0, extra={"url": url}))
            continue
        if source.startswith("```", i):
            end = source.find("```", i + 3)
            if end < 0:
                raise error
            body = source[i + 3 : end]
            language = None
            first, sep, rest = body.partition("\n")
            if sep and first and " " not in first:
                language, body = first, rest
            start = out.pos
            out.add(body)
            out.close(_Open("pre", start, 0, extra={"language": language}))
            i = end + 3
            continue
        end = source.find(ch, i + 1)
        if end < 0:
            raise error
        start = out.pos
        out.add(source[i + 1 : end])
        out.close(_Open({"*": "bold", "_": "italic", "`": "code"}[ch], start, 0))
        i = end + 1
    return out.text(), out.entities


def _strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace like the Bot API does, keeping entity offsets valid."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, limit)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


def parse_formatted(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, entities) for ``text`` sent with ``parse_mode`` or explicit entities."""
    mode = (parse_mode or "").strip()
    if entities and not mode:
        plain, result = text, [dict(e) for e in entities]
    elif not mode:
        plain, result = text, []
    elif mode.lower() == "html":
        plain, result = _parse_html(text)
    elif mode.lower() == "markdownv2":
        plain, result = _parse_markdown_v2(text)
    elif mode.lower() == "markdown":
        plain, result = _parse_markdown(text)
    else:
        raise MarkupError("unsupported parse_mode")
    plain, result = _strip(plain, result)
    result.sort(key=lambda e: (e["offset"], -e["length"]))
    return plain, result
