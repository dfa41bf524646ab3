"""Turn an uploaded or given file into projects: detects its format by content.

- a zip is checked as an Office container (`container`) and read as a Word
  document (`docx`, when it holds word/document.xml) or an Excel workbook
  (`workbook`, when it holds xl/workbook.xml: our export or a unit's own sheet);
- text starting with `{` is the JSON backup (`jsondoc`);
- other text is the official sheet copied as text (`text`) when it has the
  title `YYYY年项目支出绩效目标批复` (or a variant such as `YYYY年度…批复表` over
  the sheet's 项目绩效总目标), else the recognizer of other layouts (`recognize`)
  reads it.

Every result is a `ParseResult`: projects (perfgoals/1 project data, never a
workflow state from a text, Word or unit Excel file) and the report: `repairs`,
`skipped` and `unplaced` (see `findings`). A file that holds the same project
twice is refused by the one check all readers share (`validate.duplicate_problems`).
"""

from .. import layout, limits
from ..errors import ImportFormatError
from ..validate import validate_projects
from .jsondoc import parse_document
from .text import ParseResult, parse_sheets

ZIP_MAGIC = b"PK\x03\x04"
OFFICE_SUFFIXES = (".xlsx", ".xlsm", ".docx", ".docm")


def decode_text(data):
    """Text of a file saved by Word/Excel/Notepad: UTF-8 (with or without BOM) or GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFormatError("", "文件编码无法识别，请另存为UTF-8编码的文本文件。")


def check_text(text):
    """Refuse a text past `limits.MAX_TEXT_CHARS` before any work is done on it."""
    if len(text) > limits.MAX_TEXT_CHARS:
        raise ImportFormatError(
            "",
            f"文本共{len(text)}个字符，超过上限{limits.MAX_TEXT_CHARS}个字符，拒绝导入；请分成几份分别导入。",
        )


def read_text(text, source="文本"):
    """The official sheet through its own reader, any other layout through the recognizer;
    the projects read are validated against the models (`validate`)."""
    return _validated(_read_text(text), source)


def _validated(result, source):
    if not result.backup:  # a backup is restored as it was written
        _infer_level1(result)
    validate_projects(result.projects, source=source, places=result.places)
    return result


def _infer_level1(result):
    """Fill an empty 一级指标 from its 二级指标 where that belongs to one level 1 only
    (数量指标 → 产出指标), as the editor does, and report each such repair. A level 1
    the document states is kept as written: the review checks and their one-click
    fixes deal with a misplaced row."""
    from indicators.framework import level1_of

    from .findings import Finding

    for project in result.projects:
        for goal in project.get("goals", []):
            for number, row in enumerate(goal.get("indicators", []), start=1):
                if (row.get("level1") or "").strip():
                    continue
                level1 = level1_of(row.get("level2") or "")
                if level1:
                    row["level1"] = level1
                    result.repairs.append(
                        Finding(
                            f"“{project.get('name', '')}”{goal.get('name', '')}第{number}行",
                            f"一级指标为空，按二级指标“{row['level2']}”补为“{level1}”",
                        )
                    )


def _read_text(text):
    from .grid import check_cells, grid_from_text
    from .official import is_official
    from .recognize import recognize

    check_text(text)
    grid = check_cells(grid_from_text(text), "文本")
    if is_official(grid):
        return parse_sheets(text)
    try:
        return recognize(grid)
    except ImportFormatError as exc:
        if exc.where:
            raise
        try:
            parse_sheets(text)  # says what the official layout lacks (title, line)
        except ImportFormatError as official:
            raise ImportFormatError(
                official.where, f"{official.message}也没有识别出其他格式的项目支出绩效目标表。"
            ) from None
        raise


def unit_repairs(result, unit, chosen="所选单位"):
    """The unit chosen on the page (or `--department`) takes precedence over the one the file
    names; each unit the file names otherwise is said once, as a repair with the place of its
    first project (`文件中的实施单位“X”，按所选单位“Y”导入。`)."""
    from .findings import Finding

    if not unit:
        return
    named = {}
    for index, project in enumerate(result.projects):
        name = project.get("department") or ""
        if name and name != unit:
            source = result.unit_sources.get(index, f"文件中的{layout.UNIT_PREFIX.rstrip('：')}")
            named.setdefault((source, name), []).append(index)
    for (source, name), indexes in named.items():
        place = result.places[indexes[0]] if indexes[0] < len(result.places) else ""
        count = f"（{len(indexes)}个项目）" if len(indexes) > 1 else ""
        result.repairs.append(Finding(place, f"{source}“{name}”{count}，按{chosen}“{unit}”导入。"))


def read_projects(filename, data):
    """Parse a file's bytes into a ParseResult (projects as plain dicts, and the report)."""
    source = f"文件“{filename.replace(chr(92), '/').rsplit('/', 1)[-1]}”"
    if data.startswith(ZIP_MAGIC) or filename.lower().endswith(OFFICE_SUFFIXES):
        from .container import check_container

        if check_container(data, expect=None) == "docx":
            from .docx import read_document

            return _validated(read_document(data), source)
        from .workbook import read_any_workbook

        return _validated(read_any_workbook(data), source)
    if b"\x00" in data[:4096]:
        raise ImportFormatError("", "文件不是文本、JSON、Excel或Word文件，无法导入。")
    text = decode_text(data)
    if text.lstrip().startswith("{") or filename.lower().endswith(".json"):
        projects = parse_document(text)
        places = [f"projects[{index}]" for index in range(len(projects))]
        return _validated(ParseResult(projects=projects, backup=True, places=places), source)
    return read_text(text, source)
