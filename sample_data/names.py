"""Fictional names: common surname and given-name characters, minority names with separators,
and the spelling variants real rosters carry (traditional characters, separators, typos)."""

from __future__ import annotations

import numpy as np

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_MALE = list("伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆龙林建国志成文兵海东亮春生福贵荣兴德昌才")
GIVEN_FEMALE = list("芳娜敏静丽艳娟霞燕玲桂英秀兰琴云莲梅萍红华玉珍凤洁琳雪慧颖倩婷晶莉月翠娥仙菊")

# Yi, Uyghur, Hui, Dai... names as rosters write them: separator forms vary between systems.
MINORITY_NAMES = [
    "阿木呷", "吉克·阿依", "穆罕默德·艾力", "阿苏·拉且", "曲比·阿果", "沙马·依作", "海来·木呷",
    "阿卜杜拉·买买提", "古丽·艾买提", "玉香", "岩温", "依布拉音·吐尔逊", "马木乃", "吉木·尔布",
]

# Homophone and similar-shape slips seen in hand-typed rosters: char -> wrong char.
HOMOPHONES = {"伟": "玮", "明": "鸣", "华": "化", "丽": "莉", "芳": "方", "军": "君", "平": "萍", "英": "莹",
              "红": "洪", "国": "果", "建": "健", "文": "雯", "静": "靜", "春": "纯", "林": "琳", "梅": "媚",
              "兰": "蓝", "玉": "钰", "云": "芸", "桂": "贵", "秀": "绣", "凤": "风", "海": "还"}
SHAPE_TYPOS = {"王": "玉", "己": "已", "未": "末", "土": "士", "天": "夫", "日": "曰", "人": "入", "大": "太",
               "刘": "浏", "杨": "扬", "张": "涨", "李": "季", "陈": "阵", "萍": "苹", "琴": "芩", "斌": "赋",
               "林": "材", "军": "车", "凯": "剀", "杰": "木", "娟": "涓", "霞": "暇", "清": "请"}
SEPARATORS = ("·", "•", "", "．", "・")


def draw_names(rng: np.random.Generator, male: np.ndarray, minority_rate: float = 0.03) -> list[str]:
    """One fictional name per person; ``male`` is a boolean array."""
    n = len(male)
    sur = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)]
    gm, gf = np.array(GIVEN_MALE), np.array(GIVEN_FEMALE)
    g1 = np.where(male, gm[rng.integers(0, len(gm), n)], gf[rng.integers(0, len(gf), n)])
    g2 = np.where(male, gm[rng.integers(0, len(gm), n)], gf[rng.integers(0, len(gf), n)])
    two = rng.random(n) < 0.7
    names = np.char.add(np.char.add(sur, g1), np.where(two, g2, ""))
    minority = rng.random(n) < minority_rate
    if minority.any():
        names[minority] = np.array(MINORITY_NAMES)[rng.integers(0, len(MINORITY_NAMES), int(minority.sum()))]
    return names.tolist()


_T2S = None


def traditional(name: str) -> str:
    """The name in traditional characters (張偉)."""
    global _T2S
    if _T2S is None:
        from opencc import OpenCC

        _T2S = OpenCC("s2t")
    return _T2S.convert(name)


def separator_variant(name: str, rng: np.random.Generator) -> str:
    """Another separator for a minority name (阿·木呷 / 阿•木呷 / 阿木呷); non-minority names get one inserted."""
    sep = SEPARATORS[int(rng.integers(0, len(SEPARATORS)))]
    if "·" in name:
        other = sep if sep != "·" else "•"
        return name.replace("·", other)
    if len(name) >= 3:
        return name[:1] + (sep or "·") + name[1:]
    return name


def with_space(name: str) -> str:
    return name[:1] + " " + name[1:] if len(name) > 1 else " " + name


def typo(name: str, table: dict[str, str]) -> str | None:
    """The name with its first mappable character replaced, or None if none maps."""
    for i, ch in enumerate(name):
        if ch in table:
            return name[:i] + table[ch] + name[i + 1:]
    return None
