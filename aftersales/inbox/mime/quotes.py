"""Cutting the quoted history off a reply."""

import re

QUOTE_STARTS = [
    re.compile(r"^-{2,}\s*(?:original message|原始邮件|原始郵件|原邮件|回复的原邮件)\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*(?:on\s.+\swrote:|在\s?.+写道[:：]|于\s?.+写道[:：]|.+於\s?.+寫道[:：])\s*$", re.IGNORECASE),
    re.compile(r"^\s*(?:from|发件人|寄件者)\s*[:：].+$", re.IGNORECASE),
    re.compile(r"^_{10,}\s*$"),
]
SENT_LINE = re.compile(r"^\s*(?:sent|date|发送时间|日期|時間|寄件日期)\s*[:：]", re.IGNORECASE)


def strip_quoted(text: str) -> str:
    """A reply without the history it quotes (the ticket has it already); the whole text if nothing is left."""
    lines = text.split("\n")
    for index in range(len(lines)):
        if _starts_quote(lines, index):
            kept = "\n".join(lines[:index]).rstrip()
            return _drop_quoted_lines(kept) or text.strip()
    return _drop_quoted_lines(text) or text.strip()


def _starts_quote(lines: list[str], index: int) -> bool:
    line = lines[index]
    for number, pattern in enumerate(QUOTE_STARTS):
        if pattern.match(line):
            if number == 2:  # "From:" starts a quoted header block only with a "Sent:" line just after it
                return any(SENT_LINE.match(following) for following in lines[index + 1 : index + 4])
            return True
    return False


def _drop_quoted_lines(text: str) -> str:
    """Trailing lines quoted with ">" (and the blank lines around them)."""
    lines = text.rstrip().split("\n")
    while lines and (lines[-1].lstrip().startswith(">") or not lines[-1].strip()):
        lines.pop()
    return "\n".join(lines).strip()
