"""The search benchmark runs end to end on a small corpus (the full 200k run is `python -m bench.search`)."""

from bench.search import Corpus, handle


def test_search_benchmark_reports_throughput_latency_and_size(tmp_path):
    lines: list[str] = []
    result = handle(
        {"articles": 300, "queries": 5, "index_dir": tmp_path / "index", "no_compare": True}, write=lines.append
    )
    assert result.text_bytes > 300 * 500 and result.size_bytes > 0
    assert set(result.latency_ms) == {1, 2, 3}
    text = "\n".join(lines)
    assert "throughput per core" in text and "p95 ms" in text and "index size on disk" in text
    assert not (tmp_path / "index").exists()  # removed unless --keep


def test_generated_corpus_is_mixed_and_deterministic():
    first = list(Corpus(200, seed=7).documents())
    assert [d.title for d in first] == [d.title for d in Corpus(200, seed=7).documents()]
    bodies = " ".join(d.body for d in first)
    assert "驗收" in bodies or "項目" in bodies  # some Traditional Chinese
    assert "acceptance" in bodies and "数据中心" in bodies
    assert any("article:public" in d.acl for d in first) and any("article:d:" in t for d in first for t in d.acl)
