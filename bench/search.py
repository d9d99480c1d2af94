"""Search benchmark: build an embedded (tantivy) index of generated knowledge articles and report indexing
throughput, query latency with permission filters, and index size.

    python -m bench.search --articles 200000        # the full benchmark (a few minutes)
    python -m bench.search --articles 2000 --queries 50

Articles are generated, not read from the database: mixed Simplified Chinese, Traditional Chinese and
English, with product names and full-width punctuation, lengths drawn from a log-normal distribution
(median about 1.5 KB of UTF-8), and realistic visibility (public, department, role, named users),
categories, keywords and industries. Throughput is UTF-8 bytes of text (title, body, keywords) per
second of wall time and per CPU-second of the process (all threads: the analysis in Python and tantivy's
indexing threads), the latter being the per-core figure. Queries run through the backend exactly as the
API does (visibility terms as a filter inside the query, BM25, highlights and four facet aggregations),
for a user who is not an administrator.

Never point --index-dir at a live index: it is rebuilt from scratch.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

GOAL_KB_PER_CORE = 400  # jieba's published default-mode speed
GOAL_P95_MS = 20.0

VENDORS = ["华为", "新华三", "深信服", "锐捷", "浪潮", "中科曙光", "奇安信", "Cisco", "VMware", "Oracle", "NetApp",
           "Dell", "联想", "达梦", "人大金仓", "东方通", "麒麟", "统信"]  # fmt: skip
PRODUCTS = ["FusionServer", "OceanStor", "CE6800", "S5735-L48T4S", "vSphere 8", "Nexus 9000", "aCloud",
            "AF-1000", "Exadata", "MetroCluster", "PowerEdge R750", "ThinkSystem SR650", "DM8", "KingbaseES",
            "TongWeb"]  # fmt: skip
SYSTEMS = ["数据中心", "核心网络", "灾备系统", "虚拟化平台", "超融合平台", "存储系统", "安全防护体系", "动环监控",
           "综合布线", "云桌面", "机房", "数据库集群", "视频监控", "统一身份认证", "运维平台"]  # fmt: skip
ACTIONS = ["建设", "扩容", "改造", "迁移", "升级", "验收", "巡检", "部署", "测试", "优化", "集成", "割接"]
CUSTOMERS = ["银行", "证券公司", "医院", "高校", "电网公司", "地铁集团", "税务局", "海关", "制造企业", "运营商",
             "保险公司", "政务服务中心"]  # fmt: skip
PHRASES = [
    "项目经理负责制定实施计划，工程师按照里程碑提交交付物",
    "验收报告由客户签字盖章后归档",
    "系统集成商需要在初验前完成全部测试用例",
    "投标文件应包含资质证明、类似项目业绩和技术偏离表",
    "终验通过后进入质保期，质保期内提供七乘二十四小时服务",
    "等保二级测评要求日志留存六个月以上",
    "两地三中心架构采用同城双活和异地灾备",
    "设备到货后进行到货验收，核对序列号与装箱单",
    "需求变更必须经过变更控制委员会审批",
    "信创适配需要完成操作系统、数据库和中间件的兼容性测试",
    "回款节点与里程碑一一对应，逾期需升级处理",
    "现场实施须遵守客户机房管理制度，变更操作双人复核",
]  # fmt: skip
EN_SENTENCES = [
    "The acceptance test plan covers every milestone and deliverable.",
    "We migrated {n} virtual machines to the new cluster over two weekends.",
    "Lessons learned: agree the acceptance criteria before the kickoff meeting.",
    "The customer signed the preliminary acceptance certificate after the punch list was closed.",
    "Change requests are estimated for cost, schedule and risk before approval.",
    "Failover of the core switches was tested under production load.",
    "Warranty service levels: four-hour on-site response for severity one incidents.",
    "The bid was lost on price; the winning competitor offered a {n}% discount.",
    "Storage replication keeps the recovery point objective below five minutes.",
    "Engineers documented the cabling, labelling and rack layout for the handover.",
]  # fmt: skip
TITLES_ZH = ["{customer}{system}{action}方案", "{system}{action}经验总结", "{vendor}{product}{action}指南",
             "{customer}{system}项目验收要点", "{system}{action}常见问题"]  # fmt: skip
TITLES_EN = ["{system_en} {action_en} guide", "Lessons learned: {system_en} {action_en}",
             "{vendor} {product} {action_en} checklist"]  # fmt: skip
SYSTEMS_EN = ["data centre", "core network", "disaster recovery", "virtualisation platform", "storage", "security",
              "cabling", "database cluster", "monitoring platform"]  # fmt: skip
ACTIONS_EN = ["migration", "upgrade", "acceptance", "deployment", "testing", "integration", "maintenance"]
INDUSTRIES = ["government", "finance", "energy", "telecom", "healthcare", "education", "manufacturing", "transport",
              "retail", "internet", "other"]  # fmt: skip
ROLES = ["presales", "bid_manager", "pm", "engineer", "director", "finance"]

QUERY_TERMS = ["验收", "里程碑", "数据中心", "系统集成", "灾备", "迁移", "测试", "银行", "医院", "交付物",
               "质保", "acceptance", "milestones", "migration", "storage", "华为", "VMware", "割接", "等保",
               "信创"]  # fmt: skip


@dataclass
class Corpus:
    count: int
    seed: int = 42
    departments: int = 50
    users: int = 5000
    categories: int = 100
    keywords: int = 500
    traditional_share: float = 0.1
    english_share: float = 0.25
    median_bytes: int = 1500
    _to_traditional: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from backend.search.analysis import fold_table

        reverse: dict[int, int] = {}
        for source, target in fold_table().items():
            if 0x4E00 <= target <= 0x9FFF and source != target:
                reverse.setdefault(target, source)
        self._to_traditional = reverse

    def documents(self) -> Iterator:
        from backend.search.documents import SearchDocument

        rng = random.Random(self.seed)
        now = datetime(2026, 6, 1, tzinfo=UTC)
        for pk in range(1, self.count + 1):
            english = rng.random() < self.english_share
            title, body = self._text(rng, english)
            if not english and rng.random() < self.traditional_share:
                title, body = title.translate(self._to_traditional), body.translate(self._to_traditional)
            category = rng.randrange(1, self.categories + 1)
            keywords = sorted({str(rng.randrange(1, self.keywords + 1)) for _ in range(rng.randint(2, 5))})
            yield SearchDocument(
                type="article",
                pk=pk,
                title=title,
                body=body,
                keywords_text=" ".join(rng.sample(QUERY_TERMS, 3)),
                url=f"/knowledge/articles/{pk}/",
                industry=rng.choice(INDUSTRIES),
                category=str(category),
                category_path=[str(category), str((category - 1) // 10 + 1001)],
                keywords=keywords,
                acl=self._acl(rng),
                date=now - timedelta(minutes=pk),
            )

    def _acl(self, rng: random.Random) -> list[str]:
        draw = rng.random()
        terms = {"article:*", f"article:u:{rng.randrange(1, self.users)}"}  # the author
        if draw < 0.6:
            terms.add("article:public")
        elif draw < 0.8:
            terms |= {f"article:d:{rng.randrange(1, self.departments)}" for _ in range(rng.randint(1, 2))}
        elif draw < 0.9:
            terms |= {f"article:r:{role}" for role in rng.sample(ROLES, 2)}
        else:
            terms |= {f"article:u:{rng.randrange(1, self.users)}" for _ in range(rng.randint(1, 4))}
        return sorted(terms)

    def _text(self, rng: random.Random, english: bool) -> tuple[str, str]:
        slots = {
            "customer": rng.choice(CUSTOMERS),
            "system": rng.choice(SYSTEMS),
            "action": rng.choice(ACTIONS),
            "vendor": rng.choice(VENDORS),
            "product": rng.choice(PRODUCTS),
            "system_en": rng.choice(SYSTEMS_EN),
            "action_en": rng.choice(ACTIONS_EN),
        }
        title = rng.choice(TITLES_EN if english else TITLES_ZH).format(**slots)
        target = int(rng.lognormvariate(0, 0.6) * self.median_bytes)
        parts: list[str] = []
        size = 0
        while size < target:
            if english or rng.random() < 0.15:
                sentence = rng.choice(EN_SENTENCES).format(n=rng.randint(2, 400))
            else:
                sentence = (
                    f"{rng.choice(CUSTOMERS)}的{rng.choice(SYSTEMS)}{rng.choice(ACTIONS)}项目采用{rng.choice(VENDORS)}"
                    f" {rng.choice(PRODUCTS)}，{rng.choice(PHRASES)}；共{rng.randint(2, 90)}台设备。"
                )
            parts.append(sentence)
            size += len(sentence.encode())
        return title, " ".join(parts) if english else "".join(parts)


def text_bytes(doc) -> int:
    return len(doc.title.encode()) + len(doc.body.encode()) + len(doc.keywords_text.encode())


@dataclass
class Result:
    articles: int = 0
    text_bytes: int = 0
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    analysis_kb_per_s: float = 0.0
    size_bytes: int = 0
    latency_ms: dict[int, tuple[float, float, float]] = field(default_factory=dict)  # terms → (p50, p95, mean hits)
    segmenters: list[tuple[str, float, str]] = field(default_factory=list)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _cjk(tokens: list[str]) -> list[str]:
    return [t for t in tokens if any("\u4e00" <= ch <= "\u9fff" for ch in t)]


def compare_segmenters(sample: list[str]) -> list[tuple[str, float, str]]:
    """rjieba against jieba (when installed) on the same text: default-mode speed and agreement."""
    import rjieba

    data = sum(len(t.encode()) for t in sample)
    rows = []
    rjieba.cut("预热")
    start = time.perf_counter()
    rust = [rjieba.cut(t) for t in sample]
    rows.append(("rjieba (jieba-rs) default mode", data / (time.perf_counter() - start) / 1000, "reference"))
    try:
        import jieba
    except ImportError:
        rows.append(("jieba default mode", 0.0, "not installed (pip install jieba to compare)"))
        return rows
    from backend.search.analysis import DOMAIN_WORDS

    jieba.setLogLevel(60)
    jieba.initialize()
    for word in DOMAIN_WORDS:  # the same additions as backend.search.analysis makes to rjieba's dictionary
        if not jieba.dt.FREQ.get(word):
            jieba.add_word(word, 20000)
    start = time.perf_counter()
    python = [list(jieba.cut(t)) for t in sample]
    speed = data / (time.perf_counter() - start) / 1000
    same = sum(1 for a, b in zip(rust, python, strict=True) if a == b)
    same_cjk = sum(1 for a, b in zip(rust, python, strict=True) if _cjk(a) == _cjk(b))
    rows.append(
        (
            "jieba default mode",
            speed,
            f"Chinese words identical on {same_cjk}/{len(sample)} texts; all tokens on {same} "
            "(jieba-rs keeps hyphenated English words such as on-site whole)",
        )
    )
    return rows


def run(
    *,
    articles: int,
    queries: int,
    index_dir: Path,
    seed: int = 42,
    log: Callable[[str], None] = print,
    compare: bool = True,
) -> Result:
    from backend.search import analysis
    from backend.search.documents import SearchQuery
    from backend.search.embedded import EmbeddedBackend

    result = Result(articles=articles)
    corpus = Corpus(articles, seed=seed)
    sample = [d.body for _, d in zip(range(500), Corpus(500, seed=seed + 1).documents(), strict=False)]
    if compare:
        result.segmenters = compare_segmenters(sample)
    start = time.perf_counter()
    analysed = 0
    for text in sample:
        analysis.index_text(text)
        analysed += len(text.encode())
    result.analysis_kb_per_s = analysed / (time.perf_counter() - start) / 1000

    shutil.rmtree(index_dir, ignore_errors=True)
    backend = EmbeddedBackend(index_dir)
    backend.ensure()
    counted = [0, 0]

    def documents() -> Iterator:
        for doc in corpus.documents():
            counted[0] += 1
            counted[1] += text_bytes(doc)
            if counted[0] % 20000 == 0:
                log(f"  indexed {counted[0]:,} articles")
            yield doc

    log(f"indexing {articles:,} generated articles into {index_dir}")
    wall, cpu = time.perf_counter(), time.process_time()
    backend.rebuild(documents())
    result.wall_seconds = time.perf_counter() - wall
    result.cpu_seconds = time.process_time() - cpu
    result.text_bytes = counted[1]
    result.size_bytes = backend.size_bytes()

    rng = random.Random(seed + 2)
    user_acl = sorted(
        {"article:public", "article:u:123", "article:d:5", "article:d:1", "article:r:presales", "project:u:123"}
    )
    for terms in (1, 2, 3):
        for _ in range(5):  # warm up
            backend.search(SearchQuery(text=" ".join(rng.sample(QUERY_TERMS, terms)), acl=user_acl))
        timings, totals = [], []
        for _ in range(queries):
            text = " ".join(rng.sample(QUERY_TERMS, terms))
            began = time.perf_counter()
            found = backend.search(SearchQuery(text=text, acl=user_acl, limit=20))
            timings.append((time.perf_counter() - began) * 1000)
            totals.append(found.total)
        result.latency_ms[terms] = (
            statistics.median(timings),
            percentile(timings, 0.95),
            statistics.mean(totals),
        )
    return result


def report(result: Result) -> str:
    kb = result.text_bytes / 1000
    rows = [
        ("articles", f"{result.articles:,}"),
        ("text indexed", f"{result.text_bytes / 1e6:,.1f} MB"),
        ("wall time", f"{result.wall_seconds:,.1f} s"),
        ("CPU time (all threads)", f"{result.cpu_seconds:,.1f} s"),
        ("throughput (wall)", f"{kb / result.wall_seconds:,.0f} KB/s"),
        (
            "throughput per core",
            f"{kb / result.cpu_seconds:,.0f} KB/s per CPU-second (goal ≥ {GOAL_KB_PER_CORE})",
        ),
        ("analysis alone (fold + rjieba + stem)", f"{result.analysis_kb_per_s:,.0f} KB/s"),
        ("index size on disk", f"{result.size_bytes / 1e6:,.1f} MB ({result.size_bytes / max(1, result.text_bytes):.2f}"
                               " × text)"),
    ]  # fmt: skip
    lines = [_table(rows), "", "query latency (visibility filter, BM25, highlights, 4 facets; 20 hits):"]
    latency = [("terms", "p50 ms", "p95 ms", f"goal p95 ≤ {GOAL_P95_MS:.0f} ms", "mean hits")]
    for terms, (p50, p95, hits) in sorted(result.latency_ms.items()):
        latency.append((str(terms), f"{p50:.2f}", f"{p95:.2f}", "met" if p95 <= GOAL_P95_MS else "MISSED",
                        f"{hits:,.0f}"))  # fmt: skip
    lines.append(_table(latency))
    if result.segmenters:
        lines += ["", "segmenters on the same 500 generated bodies:"]
        lines.append(_table([("segmenter", "KB/s", "note")] + [(n, f"{s:,.0f}", note) for n, s, note in
                                                                result.segmenters]))  # fmt: skip
    return "\n".join(lines)


def _table(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    if len(rows[0]) > 2:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--articles", type=int, default=200_000, help="generated articles to index (200,000)")
    parser.add_argument("--queries", type=int, default=300, help="timed queries per query length (300)")
    parser.add_argument("--index-dir", type=Path, default=None, help="where to build the index (a temporary dir)")
    parser.add_argument("--keep", action="store_true", help="keep the index directory afterwards")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-compare", action="store_true", help="skip the jieba/rjieba comparison")


def handle(opts: dict, write: Callable[[str], None] = print) -> Result:
    """Run with parsed options (``sicrm bench search`` passes its options here)."""
    index_dir = opts.get("index_dir") or Path(tempfile.mkdtemp(prefix="sicrm-bench-search-"))
    try:
        result = run(
            articles=opts["articles"],
            queries=opts["queries"],
            index_dir=Path(index_dir),
            seed=opts.get("seed", 42),
            log=write,
            compare=not opts.get("no_compare", False),
        )
        write(report(result))
        return result
    finally:
        if not opts.get("keep"):
            shutil.rmtree(index_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.search", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    opts = vars(parser.parse_args(argv))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    handle(opts, write=lambda line: print(line, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
