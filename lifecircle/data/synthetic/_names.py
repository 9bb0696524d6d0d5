"""Name pools for the synthetic region: districts, townships, communities, roads, places.

Every name is drawn from a pool built deterministically from syllable lists and shuffled
with the caller's random generator, so the same seed always yields the same names. All
characters are in GBK (the communities shapefile is written in GBK).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

#: The six districts/counties of Ma'anshan with their administrative codes.
DISTRICTS: dict[str, str] = {
    "花山区": "340503",
    "雨山区": "340504",
    "博望区": "340506",
    "当涂县": "340521",
    "含山县": "340522",
    "和县": "340523",
}

#: Real street offices (街道) per district, used for urban townships first.
STREETS: dict[str, list[str]] = {
    "花山区": ["解放路街道", "桃源路街道", "湖东路街道", "金家庄街道", "江东街道",
              "塘西街道", "沙塘路街道", "霍里街道", "慈湖街道"],
    "雨山区": ["平湖街道", "雨山街道", "安民街道", "采石街道", "宁芜路街道", "向山街道"],
    "博望区": ["博望街道"],
    "当涂县": ["姑孰镇"],
    "含山县": ["环峰镇"],
    "和县": ["历阳镇", "郑蒲港街道"],
}

#: Real towns and townships (镇/乡) per district, used for rural townships first.
TOWNS: dict[str, list[str]] = {
    "花山区": ["濮塘镇", "霍里镇", "慈湖乡"],
    "雨山区": ["向山镇", "银塘镇", "佳山乡", "采石乡"],
    "博望区": ["博望镇", "丹阳镇", "新市镇"],
    "当涂县": ["太白镇", "黄池镇", "乌溪镇", "石桥镇", "塘南镇", "护河镇", "年陡镇",
              "湖阳镇", "大陇乡"],
    "含山县": ["运漕镇", "铜闸镇", "陶厂镇", "林头镇", "清溪镇", "仙踪镇", "昭关镇"],
    "和县": ["白桥镇", "姥桥镇", "功桥镇", "西埠镇", "香泉镇", "乌江镇", "善厚镇", "石杨镇"],
}

_FIRST = list("桃金湖雨佳江秀红幸和朝向东西南北翠银锦华盛阳明新春青宝康安福")
_SECOND = list("园山苑湖岭庄桥塘城河林港亭溪坊苑")
_URBAN_TAIL = ["", "", "", "新村", "花园"]
_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓"
                 "曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢")
_VILLAGE_TAILS = ["家庄", "家圩", "家冲", "家湾", "家桥", "家塘", "家店", "家村", "庄", "圩",
                  "冲", "岗", "湾", "桥", "店", "集", "塘", "山"]
_NATURE_A = list("青石龙凤白黄金玉松竹梅桑荷柳梧花双三五七")
_NATURE_B = list("山桥井塘湾岗圩冲河湖峰林")
_DIRECTIONS = ["新", "东", "西", "南", "北", "前", "后", "上", "下"]
_ROAD_STEMS = ["湖东", "雨山", "佳山", "太白", "江东", "红旗", "解放", "湖南", "花山", "九华",
               "印山", "天门", "采石", "朱然", "宁芜", "慈湖", "霍里", "银塘", "向山", "金家庄",
               "幸福", "团结", "前进", "人民", "健康", "和平", "秀山", "翠螺", "姑孰", "当涂",
               "博望", "含山", "和州", "勤俭", "光明", "青山", "永丰", "长江", "梅山", "南山",
               "龙山", "凤凰", "桃源", "沙塘", "平湖", "安民", "濮塘", "丹阳", "黄池", "乌江"]
_ROAD_DIRS = ["", "东", "西", "南", "北", "中"]
_HOTELS = ["金陵", "江南", "雨山", "佳山", "华厦", "马钢", "长江", "太白", "采石", "翠螺"]
_BRANDS = ["苏果", "快乐购", "红府", "联华", "好又多", "喜士多", "惠民", "乐家"]
_EXPRESS = ["菜鸟驿站", "妈妈驿站", "兔喜生活", "中国邮政"]


def _pool(candidates: list[str], rng: np.random.Generator) -> list[str]:
    unique = list(dict.fromkeys(candidates))
    order = rng.permutation(len(unique))
    return [unique[i] for i in order]


@dataclass
class NamePool:
    """Draws unique names; when a pool runs dry, prefixes (新, 东, 西 ...) extend it."""

    base: list[str]
    suffix: str = ""
    used: set[str] = field(default_factory=set)
    _i: int = 0

    def take(self) -> str:
        """Next unused name (with :attr:`suffix`)."""
        n = len(self.base)
        while True:
            round_, k = divmod(self._i, n)
            self._i += 1
            stem = self.base[k]
            if round_ > 0:
                lead = _DIRECTIONS[(round_ - 1) % len(_DIRECTIONS)]
                extra = "" if round_ <= len(_DIRECTIONS) else str(round_ // len(_DIRECTIONS))
                stem = lead + stem + extra
            name = stem + self.suffix
            if name not in self.used:
                self.used.add(name)
                return name


def urban_pool(rng: np.random.Generator) -> NamePool:
    """Urban community names such as 桃园社区, 锦湖新村社区."""
    stems = [a + b + t for a, b, t in itertools.product(_FIRST, _SECOND, _URBAN_TAIL) if a != b]
    return NamePool(_pool(stems, rng), "社区")


def village_pool(rng: np.random.Generator) -> NamePool:
    """Village names such as 金家庄村, 青山村."""
    stems = [s + t for s, t in itertools.product(_SURNAMES, _VILLAGE_TAILS)]
    stems += [a + b for a, b in itertools.product(_NATURE_A, _NATURE_B)]
    return NamePool(_pool(stems, rng), "村")


def road_pool(rng: np.random.Generator) -> NamePool:
    """Urban road name stems such as 湖东中 (路/街/巷 added by the caller)."""
    stems = [a + d for a, d in itertools.product(_ROAD_STEMS, _ROAD_DIRS)]
    return NamePool(_pool(stems, rng))


def town_pool(rng: np.random.Generator) -> NamePool:
    """Synthetic town stems (镇 added) once the real township names run out."""
    stems = [a + b for a, b in itertools.product(_NATURE_A + _FIRST, _NATURE_B) if a != b]
    return NamePool(_pool(stems, rng))


def hotel(rng: np.random.Generator) -> str:
    """A hotel name stem (金陵, 江南 ...)."""
    return str(rng.choice(_HOTELS))


def brand(rng: np.random.Generator) -> str:
    """A convenience-store brand."""
    return str(rng.choice(_BRANDS))


def express_brand(rng: np.random.Generator) -> str:
    """A parcel-locker / delivery-point brand."""
    return str(rng.choice(_EXPRESS))


def short(name: str) -> str:
    """Community name without its 社区/村 suffix (桃园社区 -> 桃园)."""
    for suffix in ("社区", "村"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name
