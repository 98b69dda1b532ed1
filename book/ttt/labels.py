"""The words the book's figures, explorers and set-up cell show, in both its languages:
one table, English to Simplified Chinese.

The book is built twice from one execution (README, "The Chinese edition"): a Chinese
page reuses its English page's outputs. So whatever ttt draws or writes carries both
languages, and each edition's build keeps its own (book/_ext/localize_outputs.py):

- text and HTML (explorer frames, captions, notes) is made with :func:`say`, which looks
  its English template up in :data:`TABLE` and gives a :class:`Text` holding both;
  :meth:`Text.html` writes the two as sibling elements marked with ``lang`` (the Chinese
  one ``hidden``, so that a notebook in Jupyter shows English), and :func:`keep` leaves one;
- a figure's words (titles, legends, axis labels, whoever set them: ttt's helpers or a
  page's code) are translated by :func:`translate` when a Chinese copy of the figure is
  drawn (:mod:`ttt.plotting`: only in the book's build, where :data:`EVERY_LANGUAGE` is
  set); plain widget labels (slider names, tooltips) likewise, by the build.

Every English template is a :meth:`str.format` string; its Chinese has the same fields.
A word missing here is an error where it is used (:func:`say`, :func:`require`) or a
warning that stops the Chinese build (:func:`untranslated`), naming the words. Names,
code and symbols stay as they are (:data:`NEUTRAL`, ``$math$``, ``<code>``).

Standard library only: the build tooling and the set-up cell's generator import it.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import string
from dataclasses import dataclass
from functools import lru_cache

# A Chinese character (the CJK unified ideographs and extension A): how every check of
# "is this text Chinese?" asks, in the book, its tools and its tests.
CJK = re.compile(r"[\u3400-\u9fff]")

ENGLISH, CHINESE = "en", "zh-CN"
LANGUAGES = (ENGLISH, CHINESE)
# Set (to 1) by the book's build, for both editions alike (so that their executions stay
# one): figures and explorer frames are then also drawn in Chinese.
EVERY_LANGUAGE = "TTT_EVERY_LANGUAGE"
# A figure output's Chinese copy (an extra entry of its display data, which Jupyter and
# the English build ignore) and what ttt found in its words (in the output's metadata).
CHINESE_FIGURE = "image/x-ttt-zh-cn+png"
FIGURE_METADATA = "ttt-figure"
# The class of the elements Text.html writes, one per language.
MARK = "ttt-l10n"

# English template -> Chinese template (same fields). Grouped by where the words appear.
TABLE: dict[str, str] = {
    # --- words of the figures: ttt.plotting's helpers --------------------------------------
    "data": "数据",
    "model": "模型",
    "{label}: W={W}, b={b}": "{label}：W={W}，b={b}",
    "true line": "真实直线",
    "true W": "W 的真实值",
    "true b": "b 的真实值",
    "epoch": "轮次",
    "epochs": "轮次",
    "step": "步",
    "loss": "损失",
    "floor": "下限",
    "least squares": "最小二乘点",
    "least-squares floor {floor}": "最小二乘下限 {floor}",
    "rate {rate}": "学习率 {rate}",
    "rate {rate} ({fraction}·2/λ_max)": "学习率 {rate}（{fraction}·2/λ_max）",
    "gradient descent": "梯度下降",
    "flat direction": "平坦方向",
    "steep direction": "陡峭方向",
    "loss on each step's batch": "每一步所用批次上的损失",
    "loss on all the data": "全体数据上的损失",
    # --- words of the figures: the pages' own code --------------------------------------------
    "start": "起点",
    "The data and the starting line": "数据与起始直线",
    "W and b during training": "训练过程中的 W 与 b",
    "after {count} epochs": "{count} 个轮次之后",
    "The data and the trained line": "数据与训练后的直线",
    "NumPy and TensorFlow take the same steps": "NumPy 与 TensorFlow 走出相同的每一步",
    "before training": "训练之前",
    "after training": "训练之后",
    "Loss": "损失",
    "Excess loss": "超额损失",
    "loss − floor": "损失 − 下限",
    "loss - floor": "损失 − 下限",
    "The loss over (W, b)": "(W, b) 上的损失",
    "{epochs} epochs, learning rate {rate}": "{epochs} 个轮次，学习率 {rate}",
    "our data": "我们的数据",
    "every input moved up by 1": "每个输入都上移 1",
    "learning rate {rate}": "学习率 {rate}",
    "learning rate": "学习率",
    "The loss for five learning rates": "五个学习率下的损失",
    "measured": "测量值",
    "predicted": "预测值",
    "epochs to reach the floor": "到达下限所需的轮次",
    "Too small is slow, too large is slow, beyond 2/λ_max never":
        "太小则慢，太大也慢，超过 2/λ_max 则永远到不了",
    "forward, float64": "前向差分，float64",
    "central, float64": "中心差分，float64",
    "central, float32": "中心差分，float32",
    "step size h": "步长 h",
    "|estimate − exact derivative|": "|估计值 − 精确导数|",
    "Finite-difference error for softplus at x = 1": "softplus 在 x = 1 处的有限差分误差",
    "measured, {count} batches each": "测量值，每个取 {count} 个批次",
    "batch size B": "批量大小 B",
    "gradient variance": "梯度方差",
    "Gradient noise falls as 1/B": "梯度噪声按 1/B 下降",
    "Batch size {size}, rate {rate}: the logged loss and the real one":
        "批量大小 {size}，学习率 {rate}：记录下来的损失与真实的损失",
    "best line": "最佳直线",
    "network at the start": "起始时的网络",
    "network after {steps} steps": "{steps} 步之后的网络",
    "NumPy tape": "NumPy 梯度带",
    "One hidden layer of 16 tanh units follows the wave": "一个含 16 个 tanh 单元的隐藏层跟上了这道波",
    "best W": "最佳 W",
    "steep": "陡峭",
    "flat": "平坦",
    "momentum {beta}, rate {rate}": "动量 {beta}，学习率 {rate}",
    "gradient descent, rate {rate}": "梯度下降，学习率 {rate}",
    "The same valley, three optimizers": "同一道山谷，三个优化器",
    # --- the explorers (ttt.explorers) -------------------------------------------------------
    "Use the sliders, or focus one and press the arrow keys.":
        "拖动滑块，或让某个滑块获得焦点后按方向键。",
    "loss = {loss}": "损失 = {loss}",
    "Fit explorer: move W and b, watch the line and the loss":
        "拟合探索工具：移动 W 和 b，观察直线与损失",
    "The slope W of the line x·W + b": "直线 x·W + b 的斜率 W",
    "The intercept b of the line x·W + b": "直线 x·W + b 的截距 b",
    "Scatter plot of the data with the line x times {W} plus {b} drawn over it and the true "
    "line dashed; the mean squared error is {loss}.":
        "数据的散点图，上面画着直线 x 乘以 {W} 加 {b}，虚线为真实直线；均方误差为 {loss}。",
    "at the floor": "已在下限",
    "{ratio} times the floor": "是下限的 {ratio} 倍",
    "W = {W}, b = {b}: loss {loss} ({verdict}; the least-squares line W = {best_W}, "
    "b = {best_b} reaches {floor}).":
        "W = {W}，b = {b}：损失 {loss}（{verdict}；最小二乘直线 W = {best_W}，b = {best_b} "
        "达到 {floor}）。",
    "stable": "稳定",
    "oscillating": "振荡",
    "divergent": "发散",
    "diverges eventually": "最终发散",
    "stable: every step moves straight towards the minimum": "稳定：每一步都径直朝最小值前进",
    "oscillating: each step overshoots the minimum, but by less each time":
        "振荡：每一步都越过最小值，但越过的幅度一次比一次小",
    "its lowest is at epoch {turn}, and from then on it grows without bound":
        "它的最低点在第 {turn} 个轮次，此后便无限增长",
    "it is still falling after {count} epochs": "它在 {count} 个轮次之后仍在下降",
    "diverges eventually (beyond 2/λ_max): the error along the steepest direction grows at "
    "every step, but so far the shrinking error along the other direction outweighs it, and "
    "the loss is still falling after {epochs} epochs; {later}":
        "最终发散（超过 2/λ_max）：沿最陡方向的误差每一步都在增大，但到目前为止，沿另一个方向"
        "不断缩小的误差仍占上风，损失在 {epochs} 个轮次之后仍在下降；{later}",
    "to {loss}": "直到 {loss}",
    "until it overflows": "直到溢出",
    "grows from the first epoch on, {end}": "从第一个轮次起就在增长，{end}",
    "fell to {loss} by epoch {epoch}, then grew {end}":
        "到第 {epoch} 个轮次降到 {loss}，然后增长，{end}",
    "divergent: each step overshoots by more than the last; the loss {story}":
        "发散：每一步越过的幅度都比上一步更大；损失{story}",
    "learning rate {rate}: {regime}": "学习率 {rate}：{regime}",
    "loss after {epochs} epochs: {loss}": "{epochs} 个轮次之后的损失：{loss}",
    "Left: loss contours over W and b with the gradient-descent path for learning rate "
    "{rate} over {epochs} epochs from W={W}, b={b}; regime: {regime}.":
        "左图：W 和 b 上的损失等高线，以及学习率 {rate} 下从 W={W}，b={b} 出发、"
        "{epochs} 个轮次的梯度下降路径；情形：{regime}。",
    "The path leaves the plotted window.": "路径离开了绘图窗口。",
    "Right: the loss per epoch on a log scale, from {first} to {last}, against the floor "
    "{floor}.":
        "右图：每个轮次的损失（对数坐标），从 {first} 到 {last}，并与下限 {floor} 对比。",
    "— learning rate {rate} is {ratio} × the critical rate 2/λ_max = {critical}: {verdict}.":
        "—— 学习率 {rate} 是临界学习率 2/λ_max = {critical} 的 {ratio} 倍：{verdict}。",
    "The learning rate of every step": "每一步的学习率",
    "How many gradient-descent steps (full-batch epochs) to take":
        "梯度下降要走多少步（全批量的轮次数）",
    "Stable up to 1/λ_max = {half}, oscillating up to 2/λ_max = {critical}, divergent "
    "beyond.":
        "直到 1/λ_max = {half} 为止稳定，直到 2/λ_max = {critical} 为止振荡，超过则发散。",
    "Learning-rate explorer: gradient descent on the loss surface":
        "学习率探索工具：损失曲面上的梯度下降",
    "Start: the inputs are plain Tensors and the tape is empty. Move the slider to run the "
    "forward pass.":
        "起点：输入是普通的 Tensor，梯度带是空的。移动滑块来运行前向传播。",
    "Forward pass, step {step} of {count}: the tape records {record}.":
        "前向传播，第 {step} 步（共 {count} 步）：梯度带记录下 {record}。",
    "Backward pass, step {step} of {count}: record {number}, {record}, does not lead to the "
    "target: the tape skips it.":
        "反向传播，第 {step} 步（共 {count} 步）：记录 {number}，{record}，不通向目标：梯度带跳过它。",
    "Backward pass, step {step} of {count}: record {number}, {record}, receives {gradient} "
    "and sends {sent}.":
        "反向传播，第 {step} 步（共 {count} 步）：记录 {number}，{record}，收到 {gradient}，"
        "并发出 {sent}。",
    "Backward pass, step {step} of {count}: record {number}, {record}, receives {gradient} "
    "(the target: seeded with ones) and sends {sent}.":
        "反向传播，第 {step} 步（共 {count} 步）：记录 {number}，{record}，收到 {gradient}"
        "（这是目标：以全 1 作为起点），并发出 {sent}。",
    "{name} gets {gradient}": "{name} 得到 {gradient}",
    "The tape's records (gradient: d {target} / d this result)":
        "梯度带的记录（梯度：d {target} / d 这一结果）",
    "operation": "运算",
    "value": "值",
    "gradient": "梯度",
    "input": "输入",
    "The inputs and, once the backward pass ends, their gradients":
        "输入，以及反向传播结束后它们的梯度",
    "forward {step}": "前向 {step}",
    "backward {step}": "反向 {step}",
    "Step through the forward pass, then the backward pass": "逐步走过前向传播，再走过反向传播",
    "Tape explorer: {title}": "梯度带探索工具：{title}",
    "Focus the slider and press the arrow keys to step.": "让滑块获得焦点后按方向键逐步前进。",
    "at the noise level": "停在噪声水平",
    "still descending": "仍在下降",
    "unstable": "不稳定",
    "overflowed": "溢出",
    "it hovers at the noise level": "它在噪声水平附近徘徊",
    "it is still on its way down; it needs more steps or a larger rate":
        "它仍在下降途中；需要更多步数或更大的学习率",
    "it jumps far above the noise level; steps this long on batches this small are unstable "
    "(the prediction holds for small rates only)":
        "它跳到远高于噪声水平的地方；在这么小的批次上迈这么大的步子是不稳定的（预测只对小学习率成立）",
    "batch size {size}, learning rate {rate}: {steps} steps per epoch":
        "批量大小 {size}，学习率 {rate}：每个轮次 {steps} 步",
    "batch size {size}, learning rate {rate}: {steps} step per epoch":
        "批量大小 {size}，学习率 {rate}：每个轮次 {steps} 步",
    "The loss over {epochs} epochs of minibatch gradient descent with batch size {size} and "
    "learning rate {rate}, on a log scale: the loss on each step's batch in grey, the loss on "
    "all the data in blue, from {first} after the first step to {final}, against the floor "
    "{floor} dashed.":
        "批量大小 {size}、学习率 {rate} 的小批量梯度下降在 {epochs} 个轮次中的损失（对数坐标）："
        "灰色为每一步所用批次上的损失，蓝色为全体数据上的损失，从第一步之后的 {first} 到 {final}，"
        "虚线为下限 {floor}。",
    "the loss overflowed: this rate is too large for this batch size":
        "损失溢出了：对这个批量大小而言，这个学习率太大",
    "over the last epoch the loss on all the data averages {measured} above the floor, where "
    "the noise alone would keep it about {predicted} above (η·tr(Σ_B)/4): {verdict}":
        "在最后一个轮次中，全体数据上的损失平均高出下限 {measured}，而单凭噪声会让它高出约 "
        "{predicted}（η·tr(Σ_B)/4）：{verdict}",
    "Batch size {size}, learning rate {rate}: {steps} steps per epoch, {total} in all; final "
    "loss {final}; {level}.":
        "批量大小 {size}，学习率 {rate}：每个轮次 {steps} 步，共 {total} 步；最终损失 {final}；"
        "{level}。",
    "Batch size {size}, learning rate {rate}: {steps} step per epoch, {total} in all; final "
    "loss {final}; {level}.":
        "批量大小 {size}，学习率 {rate}：每个轮次 {steps} 步，共 {total} 步；最终损失 {final}；"
        "{level}。",
    "batch size": "批量大小",
    "Examples per step": "每一步用到的样本数",
    "{epochs} epochs from W = 0, b = 0, the same shuffles at every position.":
        "从 W = 0，b = 0 出发训练 {epochs} 个轮次，每个位置都使用相同的打乱顺序。",
    "Minibatch explorer: batch size, learning rate and the noisy loss":
        "小批量探索工具：批量大小、学习率与带噪声的损失",
    # --- the set-up cell (ttt.setup_cell), one line per language ----------------------------
    "ttt set-up: this notebook needs ttt {version}, but {location} is ttt {found}. Run "
    "`%pip install {source}`, restart the kernel and run all cells again (or update the copy "
    "of the book it comes from).":
        "ttt 准备：本笔记本需要 ttt {version}，但 {location} 是 ttt {found}。请运行 "
        "`%pip install {source}`，重启内核，再重新运行所有单元格（或者更新它所在的那份书）。",
    "ttt set-up: ttt {version} is missing, and {source} could not be reached. Connect this "
    "notebook to the internet, then run this cell again.":
        "ttt 准备：缺少 ttt {version}，而且无法访问 {source}。请让本笔记本连上互联网，"
        "然后再次运行这个单元格。",
    "ttt set-up: ttt {version} is missing, and {source} is not there. Download this notebook "
    "again from the book, or ask whoever gave it to you for ttt {version}.":
        "ttt 准备：缺少 ttt {version}，而 {source} 并不存在。请从书中重新下载本笔记本，"
        "或者向把它给你的人索取 ttt {version}。",
    "ttt set-up: ttt {version} is missing, and pip could not install it from {source} "
    "({last}). Ask whoever runs this Jupyter to install it.":
        "ttt 准备：缺少 ttt {version}，而 pip 无法从 {source} 安装它（{last}）。"
        "请让这个 Jupyter 的管理者安装它。",
    "ttt set-up: pip installed {source}, but this kernel still sees another ttt ({location}). "
    "Restart the kernel and run all cells again.":
        "ttt 准备：pip 已安装 {source}，但这个内核看到的仍是另一个 ttt（{location}）。"
        "请重启内核，再重新运行所有单元格。",
    "ttt {version} was missing: installed it from {source}.":
        "原先缺少 ttt {version}：已从 {source} 安装。",
}

# Words that stay as they are in Chinese: names, code, units of notation.
NEUTRAL = frozenset({
    "NumPy", "TensorFlow", "Keras", "Adam", "SGD", "Jupyter", "Tensor", "Tensors", "None",
    "float16", "float32", "float64", "int32", "int64", "dtype", "ttt", "pip",
    "max", "min", "tanh", "softplus", "exp", "log", "tr", "mean", "sum",
})

_FIELD_NUMBER = r"[-+−]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_MATH = re.compile(r"\$[^$]*\$")
_CODE = re.compile(r"<code>.*?</code>|`[^`]*`", re.S)
_WORD = re.compile(r"[A-Za-z]{2,}\d*")  # float64 is one word
_MARKED = re.compile(
    r'<(?P<tag>span|div) class="' + MARK + r'" lang="(?P<lang>[^"]+)"(?: hidden)?>'
    r"(?P<body>.*?)</(?P=tag)>", re.S)


class MissingTranslation(KeyError):
    """Words that :data:`TABLE` has no Chinese for."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Text:
    """One piece of text in both languages."""

    en: str
    zh: str

    def __getitem__(self, language: str) -> str:
        return {ENGLISH: self.en, CHINESE: self.zh}[language]

    def __add__(self, other: "Text | str") -> "Text":
        return Text(self.en + _part(other, ENGLISH), self.zh + _part(other, CHINESE))

    def __radd__(self, other: str) -> "Text":
        return Text(_part(other, ENGLISH) + self.en, _part(other, CHINESE) + self.zh)

    def join(self, texts) -> "Text":
        """``texts`` with this text between them, in each language (like ``str.join``)."""
        texts = list(texts)
        return Text(self.en.join(t.en for t in texts), self.zh.join(t.zh for t in texts))

    def map(self, function) -> "Text":
        """``function`` applied in each language, e.g. to wrap both in a tag."""
        return Text(function(self.en), function(self.zh))

    def html(self, block: bool = False) -> str:
        """Both languages as sibling ``span``s (``div``s for ``block`` content), each with
        its ``lang``; the Chinese one ``hidden``, so that Jupyter shows the English one.
        The book's build keeps one (:func:`keep`). The same in both: written once."""
        if self.en == self.zh:
            return self.en
        tag = "div" if block else "span"
        for body in (self.en, self.zh):
            if f"</{tag}>" in body:
                raise ValueError(f"text marked with <{tag}> must not contain </{tag}>: {body!r}")
        return (f'<{tag} class="{MARK}" lang="{ENGLISH}">{self.en}</{tag}>'
                f'<{tag} class="{MARK}" lang="{CHINESE}" hidden>{self.zh}</{tag}>')


def _part(value, language: str) -> str:
    return value[language] if isinstance(value, Text) else str(value)


def say(template: str, **values) -> Text:
    """``template`` (an English key of :data:`TABLE`) filled in, in both languages.

    The template may give its fields format specs that the table's key leaves out (the
    code says ``"rate {rate:g}"``, the table ``"rate {rate}"``): each applies in both
    languages. Values may be :class:`Text` (each language gets its own). Text goes in as
    it is: escape what must be escaped before.
    """
    key, specs = _without_specs(template)
    try:
        chinese = TABLE[key]
    except KeyError:
        raise MissingTranslation(f"no Chinese for {key!r}: add it to ttt/labels.py") from None
    return Text(template.format(**{k: _part_or_value(v, ENGLISH) for k, v in values.items()}),
                _with_specs(chinese, specs).format(
                    **{k: _part_or_value(v, CHINESE) for k, v in values.items()}))


def _without_specs(template: str) -> tuple[str, dict[str, str]]:
    """The template with bare fields, and each field's ``:spec``."""
    key, specs = [], {}
    for literal, name, spec, _ in string.Formatter().parse(template):
        key.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is not None:
            key.append("{" + name + "}")
            if spec:
                specs[name] = spec
    return "".join(key), specs


def _with_specs(template: str, specs: dict[str, str]) -> str:
    parts = []
    for literal, name, spec, _ in string.Formatter().parse(template):
        parts.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is not None:
            parts.append("{" + name + (f":{specs[name]}" if name in specs else "") + "}")
    return "".join(parts)


def _part_or_value(value, language: str):
    return value[language] if isinstance(value, Text) else value


def sentences(*texts: Text) -> Text:
    """Sentences one after another: a space between them in English, none in Chinese."""
    return Text(" ".join(t.en for t in texts if t.en), "".join(t.zh for t in texts if t.zh))


def fields(template: str) -> list[str]:
    """The names of a template's fields, in order."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


# --- one language out of both -------------------------------------------------------------

def keep(markup: str, language: str) -> str:
    """``markup`` with only ``language``'s text of every :meth:`Text.html` pair, unwrapped."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    return _MARKED.sub(lambda m: m["body"] if m["lang"] == language else "", markup)


# --- translating words found in figures and widget labels ---------------------------------

@lru_cache(maxsize=None)
def _patterns():
    """The templates, longest first; each as an anchored regex (fields match anything);
    and one regex finding any of them inside longer text (fields match numbers only)."""
    order = sorted(TABLE, key=len, reverse=True)
    anchored, inside = {}, []
    for english in order:
        literal = [re.escape(text) for text, _, _, _ in string.Formatter().parse(english)]
        names = fields(english)
        groups = [f"(?P={name})" if name in names[:k] else f"(?P<{name}>.+?)"
                  for k, name in enumerate(names)]  # a field used twice matches itself
        anchored[english] = re.compile(
            "^" + "".join(part + (groups[k] if k < len(names) else "")
                          for k, part in enumerate(literal)) + "$", re.S)
        inside.append("".join(part + (f"(?:{_FIELD_NUMBER})" if k < len(names) else "")
                              for k, part in enumerate(literal)))
    # One alternation, so that each stretch of text is translated once.
    combined = re.compile("|".join(f"(?P<t{i}>(?<![A-Za-z]){p}(?![A-Za-z]))"
                                   for i, p in enumerate(inside)), re.S)
    return anchored, combined, order


def translate(text: str, language: str = CHINESE) -> str:
    """``text`` (a figure's or a widget's words) in ``language``: as a whole when it is a
    template of :data:`TABLE` (its fields translated in turn), else each template found
    in it (fields then match numbers only). Math (``$...$``) is left alone. Words the
    table lacks stay English: :func:`untranslated` finds them."""
    if language == ENGLISH or not text:
        return text
    if language != CHINESE:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    whole = _translate_whole(text)
    if whole is not None:
        return whole
    pieces, last = [], 0
    for math in _MATH.finditer(text):
        pieces += [_translate_inside(text[last:math.start()]), math.group()]
        last = math.end()
    pieces.append(_translate_inside(text[last:]))
    return "".join(pieces)


def _translate_whole(text: str) -> str | None:
    if text in TABLE:
        return TABLE[text]
    anchored, _, order = _patterns()
    for english in order:
        if not fields(english):
            continue
        match = anchored[english].match(text)
        if match:
            return TABLE[english].format(**{name: translate(value)
                                             for name, value in match.groupdict().items()})
    return None


def _translate_inside(text: str) -> str:
    if not _WORD.search(text):
        return text
    _, combined, order = _patterns()

    def replace(match: re.Match) -> str:
        english = order[int(match.lastgroup[1:])]
        return _translate_whole(match.group()) or TABLE[english]

    return combined.sub(replace, text)


def untranslated(text: str) -> list[str]:
    """The English words left in ``text`` (math, code and :data:`NEUTRAL` words aside)."""
    text = _CODE.sub(" ", _MATH.sub(" ", html.unescape(text)))
    return [word for word in _WORD.findall(text) if word not in NEUTRAL]


def require(text: str) -> str:
    """``text`` itself, once it is sure that :func:`translate` puts it all in Chinese (for
    labels the build translates: slider names, tooltips, slider positions)."""
    left = untranslated(translate(text))
    if left:
        raise MissingTranslation(f"no Chinese for {text!r} ({', '.join(left)}): add it to "
                                 "ttt/labels.py")
    return text


def fingerprint() -> str:
    """A short hash of the table and :data:`NEUTRAL`: what a figure's Chinese copy depends
    on. The book's build puts it into every page's set-up cell (its metadata), so that a
    changed table runs the pages again (book/_ext/notebook_setup.py)."""
    text = repr((sorted(TABLE.items()), sorted(NEUTRAL)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def every_language() -> bool:
    """Is this the book's build, which wants figures drawn in every language?"""
    return os.environ.get(EVERY_LANGUAGE, "") not in ("", "0")
