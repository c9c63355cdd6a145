"""Dates and hours as the funder's forms write them: dates in the Republic of
China calendar (民國 115年 = 2026) when the form is printed in Traditional
Chinese, in ISO dates otherwise; hours with two decimals everywhere, in the
text of a form as in the cells of its detail sheets."""

ROC_OFFSET = 1911


def is_roc(env):
    return (env.lang or "").startswith("zh_TW")


def form_year(env, year):
    """The year of a program or period as the form prints it: 115 or 2026."""
    return year - ROC_OFFSET if is_roc(env) else year


def form_date(env, day, with_year=True):
    """``day`` as the form prints it: 115年1月1日 (1月1日 without the year), or
    2026-01-01; an empty string for no date."""
    if not day:
        return ""
    if is_roc(env):
        text = f"{day.month}月{day.day}日"
        return f"{day.year - ROC_OFFSET}年{text}" if with_year else text
    return day.isoformat()


def form_period(env, date_from, date_to):
    """From and to, as the form writes a period: 115年1月1日至6月30日."""
    if is_roc(env):
        same_year = date_from.year == date_to.year
        return (
            f"{form_date(env, date_from)}至"
            f"{form_date(env, date_to, with_year=not same_year)}"
        )
    return env._(
        "%(date_from)s to %(date_to)s",
        date_from=form_date(env, date_from),
        date_to=form_date(env, date_to),
    )


def form_hours(minutes):
    """Minutes as the hours a form shows: 75 -> 1.25 (the cells' value)."""
    return round(minutes / 60, 2)


def form_hours_text(minutes):
    """The same hours in the text of a form: 75 -> '1.25'."""
    return f"{form_hours(minutes):.2f}"
