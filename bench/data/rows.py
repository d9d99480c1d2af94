"""Shared pieces of the generated rows: catalogue items, the milestone and payment plan, rounding."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from bench.data.writer import Table

ITEMS = [
    ("服务器 Server", "台"),
    ("核心交换机 Core switch", "台"),
    ("存储阵列 Storage array", "套"),
    ("防火墙 Firewall", "台"),
    ("软件许可 Software licence", "套"),
    ("实施服务 Implementation service", "人天"),
    ("培训 Training", "次"),
    ("维保服务 Support", "年"),
]
MILESTONES = [
    ("项目启动 Kick-off", 1),
    ("到货验收 Delivery", 3),
    ("安装调试 Installation", 3),
    ("终验 Final acceptance", 3),
]
TERMS = [
    ("预付款 Advance", Decimal(30), 0),
    ("到货款 On delivery", Decimal(60), 1),
    ("质保金 Retention", Decimal(10), 3),
]
CENT = Decimal("0.01")


def money(value: float | Decimal) -> Decimal:
    return Decimal(value).quantize(CENT)


def day(moment: datetime) -> date:
    return moment.date()


@dataclass
class Context:
    """What every chunk needs: the benchmark users, customers and reference rows."""

    now: datetime
    customers: list[tuple[int, str, str, str, int]]  # id, name, industry, region, owner id
    sellers: list[int]
    bid_managers: list[int]
    presales: list[int]
    delivery: list[int]  # project managers and engineers
    pms: list[int]
    finance: list[int]
    directors: list[int]
    department_of: dict[int, int | None]
    competitors: list[int]
    reasons: list[int]
    template_id: int | None
    actions: list[tuple[str, str, int, bool]]
    gates: dict[str, tuple[int, int, int, str, str]]  # gate kind -> gate id, step id, order, name, mode
    counts: dict[str, int] = field(default_factory=dict)


class ChunkBase:
    """What the row mixins share: the chunk's random generator, context, tables and id counter."""

    rng: random.Random
    ctx: Context
    t: dict[str, Table]

    def _id(self, name: str) -> int:
        raise NotImplementedError
