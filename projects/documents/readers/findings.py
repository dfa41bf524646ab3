"""What a reader reports about a file besides the projects: each item names its place.

`ParseResult` (in `readers.text`) carries three lists of them:
- `repairs`: what was changed to fit the project data (a score note cut from a
  level-1 name, 指标性质 + 指标值 + 度量单位 joined, an amount in 元 converted to 万元);
- `skipped`: rows left out on purpose (a blank placeholder row with only a level 2);
- `unplaced`: text the project data has no place for (主管部门, 权重, 备注 …), named
  with file place and text so that nothing is lost silently.
"""

from dataclasses import dataclass


@dataclass
class Finding:
    where: str
    message: str

    def __str__(self):
        return f"{self.where}：{self.message}" if self.where else self.message
