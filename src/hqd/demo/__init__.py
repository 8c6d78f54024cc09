"""Demo data for 示例市: a fictional prefecture-level city's files, written exactly as users send them."""

from hqd.demo.base import DemoFile
from hqd.demo.bigfile import write_discharges_csv
from hqd.demo.generate import generate

__all__ = ["DemoFile", "generate", "write_discharges_csv"]
