"""Old-age labour pension (yaşa görə əmək pensiyası)."""

import polars as pl

from dost.rules import BOOL, MONEY, PERSON, Formula, L, variable

LAW = 'Law "On labour pensions" (7 February 2006, No. 54-IIIQ)'


@variable(
    PERSON,
    BOOL,
    reference=f"{LAW}, right to the old-age pension (pension capital)",
    label=L(
        az="Pensiya kapitalı kifayətdir",
        uz="Pensiya kapitali yetarli",
        ru="Пенсионного капитала достаточно",
        en="Pension capital is enough",
    ),
    note=L(
        az="kapital ≥ minimum pensiya × 144",
        uz="kapital ≥ eng kam pensiya × 144",
        ru="капитал ≥ минимальная пенсия × 144",
        en="capital ≥ minimum pension × 144",
    ),
)
def pension_capital_sufficient(f: Formula) -> pl.Expr:
    needed = f.param("pension.minimum") * f.param("pension.capital_months_for_right")
    return f.var("pension_capital") >= needed


@variable(
    PERSON,
    BOOL,
    reference=f"{LAW}, right to the old-age pension (insurance record)",
    label=L(
        az="25 il sığorta stajı var",
        uz="25 yil sug'urta staji bor",
        ru="Есть 25 лет страхового стажа",
        en="Has 25 years of insurance record",
    ),
    note=L(
        az="staj (ay) ≥ 25 × 12",
        uz="staj (oy) ≥ 25 × 12",
        ru="стаж (мес.) ≥ 25 × 12",
        en="record (months) ≥ 25 × 12",
    ),
)
def pension_record_sufficient(f: Formula) -> pl.Expr:
    return f.var("insurance_record_months") >= f.param("pension.record_years_for_right") * 12


@variable(
    PERSON,
    BOOL,
    reference=f"{LAW}, right to the old-age labour pension",
    label=L(
        az="Yaşa görə pensiya hüququ",
        uz="Yosh bo'yicha pensiya huquqi",
        ru="Право на пенсию по возрасту",
        en="Right to the old-age pension",
    ),
    note=L(
        az="pensiya yaşı və (kapital kifayətdir və ya 25 il staj)",
        uz="pensiya yoshi va (kapital yetarli yoki 25 yil staj)",
        ru="пенсионный возраст и (достаточный капитал или 25 лет стажа)",
        en="retirement age reached and (capital enough or 25 years of record)",
    ),
)
def old_age_pension_right(f: Formula) -> pl.Expr:
    alive = f.var("death_date").is_null()
    qualifies = f.var("pension_capital_sufficient") | f.var("pension_record_sufficient")
    return f.var("retirement_age_reached") & qualifies & alive


@variable(
    PERSON,
    MONEY,
    reference=f"{LAW}, amount of the old-age pension; minimum amount",
    label=L(
        az="Yaşa görə pensiyanın məbləği",
        uz="Yosh bo'yicha pensiya miqdori",
        ru="Размер пенсии по возрасту",
        en="Old-age pension amount",
    ),
    note=L(
        az="kapital ÷ gözlənilən ödəniş ayları, minimum pensiyadan az olmamaqla",
        uz="kapital ÷ kutilayotgan to'lov oylari, eng kam pensiyadan kam emas",
        ru="капитал ÷ ожидаемый период выплаты, не ниже минимальной пенсии",
        en="capital ÷ expected payment months, never below the minimum pension",
    ),
)
def old_age_pension_amount(f: Formula) -> pl.Expr:
    from_capital = f.var("pension_capital") / f.param("pension.expected_payment_months")
    amount = pl.max_horizontal(from_capital, f.param("pension.minimum"))
    return pl.when(f.var("old_age_pension_right")).then(amount).otherwise(0.0)
