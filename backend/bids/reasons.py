"""The default list of win/loss reasons; administrators edit it in the admin."""

DEFAULT_REASONS = [
    ("price", "价格", "Price"),
    ("technology", "技术方案", "Technology"),
    ("relationship", "客户关系", "Relationship"),
    ("qualification", "资质", "Qualification"),
    ("timing", "时机", "Timing"),
    ("scope", "范围", "Scope"),
    ("service", "服务能力", "Service capability"),
    ("brand", "品牌与案例", "Brand and references"),
]


def reasons_ensure():
    from backend.bids.models import WinLossReason

    return {
        code: WinLossReason.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "order": i})[0]
        for i, (code, name, name_en) in enumerate(DEFAULT_REASONS)
    }
