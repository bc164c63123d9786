"""The columns of a duty list table, as the parser and layout profiles (etl.layout) name them."""

from __future__ import annotations

from enum import Enum


class Column(Enum):
    """What a table column holds, recognised from its header text."""

    SEQUENCE = "序号"
    CATEGORY = "事项类别"
    TITLE = "事项名称"
    DEPARTMENT = "对应上级部门"
    UPPER_RESPONSIBILITY = "上级部门职责"
    TOWNSHIP_RESPONSIBILITY = "配合职责"
    RECEIVER = "承接部门及工作方式"
