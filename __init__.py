"""luzhi: township duty lists (履行职责事项清单) as linked data."""
