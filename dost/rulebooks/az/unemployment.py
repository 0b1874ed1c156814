"""Unemployment insurance benefit (işsizlikdən sığorta ödənişi)."""

import polars as pl

from dost.rules import BOOL, MONEY, PERSON, Formula, L, variable

LAW = 'Law "On unemployment insurance" (2017)'


@variable(
    PERSON,
    BOOL,
    reference=f"{LAW}, right to the insurance payment",
    label=L(
        az="İşsizlik sığortası hüququ",
        uz="Ishsizlik sug'urtasi huquqi",
        ru="Право на страховую выплату по безработице",
        en="Right to the unemployment insurance payment",
    ),
    note=L(
        az="iş axtaran kimi qeydiyyatda, işləmir, son 24 ayın 12-dən çoxunda sığortalı",
        uz=(
            "ish izlovchi sifatida ro'yxatda, ishlamaydi, oxirgi 24 oyning 12 tasidan ko'pida "
            "sug'urtalangan"
        ),
        ru="зарегистрирован как ищущий работу, не работает, застрахован более 12 из 24 месяцев",
        en="registered jobseeker, not employed, insured more than 12 of the last 24 months",
    ),
)
def unemployment_right(f: Formula) -> pl.Expr:
    insured = f.var("insured_months_24m") > f.param("unemployment.insured_months_min")
    return f.var("registered_jobseeker") & ~f.var("employed") & insured


@variable(
    PERSON,
    MONEY,
    reference=f"{LAW}, average monthly wage",
    label=L(
        az="Orta aylıq əmək haqqı (12 ay)",
        uz="O'rtacha oylik ish haqi (12 oy)",
        ru="Среднемесячная зарплата (12 мес.)",
        en="Average monthly wage (12 months)",
    ),
    note=L(
        az="12 aylıq əmək haqqı ÷ 12",
        uz="12 oylik ish haqi ÷ 12",
        ru="зарплата за 12 месяцев ÷ 12",
        en="wages of the 12 months ÷ 12",
    ),
)
def average_monthly_wage(f: Formula) -> pl.Expr:
    return f.var("wage_12m") / 12


@variable(
    PERSON,
    MONEY,
    reference=f"{LAW}, amount of the insurance payment",
    label=L(
        az="İşsizlik sığortası ödənişi",
        uz="Ishsizlik sug'urtasi to'lovi",
        ru="Страховая выплата по безработице",
        en="Unemployment insurance benefit",
    ),
    note=L(
        az=(
            "orta əmək haqqının 50 %-i, minimum əmək haqqından az və ötən ilin orta əmək haqqından"
            " çox olmamaqla"
        ),
        uz=(
            "o'rtacha ish haqining 50 %i, eng kam ish haqidan kam va o'tgan yilgi o'rtacha ish "
            "haqidan ko'p emas"
        ),
        ru="50 % средней зарплаты, не ниже МЗП и не выше средней зарплаты прошлого года",
        en="50 % of the average wage, at least the minimum wage, at most last year's average wage",
    ),
)
def unemployment_benefit(f: Formula) -> pl.Expr:
    share = f.var("average_monthly_wage") * f.param("unemployment.rate")
    amount = share.clip(
        f.param("unemployment.minimum_wage"), f.param("unemployment.average_wage_previous_year")
    )
    return pl.when(f.var("unemployment_right")).then(amount).otherwise(0.0)
