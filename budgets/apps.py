from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = _("Budgetten en boekhouding")

    def ready(self) -> None:
        from budgets import selectors
        from platforms import fragments

        fragments.register(
            "budget_summary",
            order=10,
            template="budgets/_platform_budget.html",
            context=lambda platform: {"budget_items": selectors.public_budget_summary(platform)},
        )
