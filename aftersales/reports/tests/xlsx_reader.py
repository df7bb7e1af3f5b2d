"""Read back what XlsxWriter wrote (no openpyxl in the project): each sheet's rows as lists of values."""

import io
import re
import zipfile
from xml.etree import ElementTree

NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "rel": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "pkg": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def _column(reference: str) -> int:
    letters = re.match(r"[A-Z]+", reference).group()
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


def sheets(content: bytes) -> dict[str, list[list]]:
    """{sheet name: rows}; strings as text, numbers as float, blanks as None; formulas raise (there must be none)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in relations.findall("pkg:Relationship", NS)}
        shared = []
        if "xl/sharedStrings.xml" in archive.namelist():
            for item in ElementTree.fromstring(archive.read("xl/sharedStrings.xml")).findall("main:si", NS):
                shared.append("".join(text.text or "" for text in item.iter(f"{{{NS['main']}}}t")))
        result = {}
        for sheet in workbook.find("main:sheets", NS):
            target = targets[sheet.get(f"{{{NS['rel']}}}id")]
            root = ElementTree.fromstring(archive.read(f"xl/{target}"))
            rows = []
            for row in root.iter(f"{{{NS['main']}}}row"):
                values = []
                for cell in row.findall("main:c", NS):
                    if cell.find("main:f", NS) is not None:
                        raise AssertionError(f"formula in {cell.get('r')}")
                    index = _column(cell.get("r"))
                    values.extend([None] * (index - len(values)))
                    raw = cell.find("main:v", NS)
                    if raw is None:
                        values.append(None)
                    elif cell.get("t") == "s":
                        values.append(shared[int(raw.text)])
                    elif cell.get("t") == "b":
                        values.append(raw.text == "1")
                    else:
                        values.append(float(raw.text))
                rows.append(values)
            result[sheet.get("name")] = rows
        return result
