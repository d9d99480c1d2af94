"""The one analysis used at index and query time: script folding, segmentation, stemming, highlighting."""

from backend.search import analysis


def test_traditional_and_full_width_fold_to_simplified_and_ascii_keeping_length():
    text = "驗收報告 數據中心 裡程碑 ＡＢＣ１２３　系統集成"
    folded = analysis.fold(text)
    assert folded == "验收报告 数据中心 里程碑 ABC123 系统集成"
    assert len(folded) == len(text)


def test_index_terms_contain_words_and_their_parts():
    terms = analysis.index_terms("项目验收报告已提交")
    assert {"验收报告", "验收", "报告"} <= set(terms)


def test_english_is_lower_cased_and_stemmed_and_stop_words_dropped():
    assert analysis.index_terms("The Milestones were Accepted") == ["mileston", "accept"]


def test_mixed_text_with_product_names_and_full_width_punctuation():
    terms = analysis.index_terms("華為FusionServer服務器，支持VMware vSphere 8.0；深信服防火墙")
    assert {"华为", "fusionserv", "服务器", "vmware", "vsphere", "8.0", "深信服", "防火墙"} <= set(terms)
    assert "，" not in terms and "；" not in terms


def test_query_groups_offer_the_word_or_all_its_parts():
    groups = analysis.query_groups("数据中心 里程碑")
    assert groups[0] == analysis.TermGroup("数据中心", ("数据", "中心"))
    assert groups[1] == analysis.TermGroup("里程碑", ())  # 里程 + 碑 would leave 碑 uncovered


def test_the_same_analysis_for_simplified_and_traditional_queries():
    expected = [analysis.TermGroup("验收报告", ("验收", "报告"))]
    assert analysis.query_groups("驗收報告") == expected
    assert analysis.query_groups("验收报告") == expected
    assert analysis.query_groups("驗收") == [analysis.TermGroup("验收", ())]


def test_highlight_marks_the_original_characters():
    marked = analysis.highlight_all("本項目已通過驗收。", analysis.query_terms("验收"))
    assert marked == "本項目已通過<mark>驗收</mark>。"


def test_highlight_marks_whole_english_words_from_a_stem():
    marked = analysis.highlight_all("Two milestones accepted", analysis.query_terms("milestone acceptance"))
    assert marked == "Two <mark>milestones</mark> <mark>accepted</mark>"


def test_snippet_is_escaped_and_centred_on_matches():
    text = "<b>" + "填充文字" * 100 + "最终验收通过" + "尾部" * 100
    snippet = analysis.snippet(text, analysis.query_terms("验收"), size=60)
    assert "<mark>验收</mark>" in snippet and "<b>" not in snippet and snippet.startswith("…")
    assert len(snippet) < 120


def test_snippet_without_matches_is_the_beginning():
    assert analysis.snippet("a & b", ["zzz"]) == "a &amp; b"
