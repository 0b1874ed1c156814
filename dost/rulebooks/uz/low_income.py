"""Low-income status in the Single Social Registry (Yagona ijtimoiy reestr)."""

import polars as pl

from dost.rules import BOOL, ENUM, HOUSEHOLD, INT, MONEY, PERSON, Formula, How, L, members, variable
from dost.rules.dates import age_months

REG = (
    "Regulation on social benefits and material assistance to low-income families (Cabinet of "
    "Ministers)"
)


@variable(
    PERSON,
    INT,
    reference="Civil Code: age in completed years on the first day of the month",
    label=L(az="Yaş", uz="Yosh", ru="Возраст", en="Age"),
)
def age(f: Formula) -> pl.Expr:
    return age_months(f.var("birth_date"), f.start) // 12


@variable(
    PERSON,
    BOOL,
    reference=REG,
    label=L(
        az="18 yaşınadək uşaq", uz="18 yoshgacha bola", ru="Ребёнок до 18 лет", en="Child under 18"
    ),
)
def child_under_18(f: Formula) -> pl.Expr:
    return (f.var("age") < 18).fill_null(False)


household_members = members(
    "household_members",
    How.COUNT,
    reference=REG,
    label=L(
        az="Ailə üzvlərinin sayı",
        uz="Oila a'zolari soni",
        ru="Число членов семьи",
        en="Family members",
    ),
)
household_income_3m = members(
    "household_income_3m",
    How.SUM,
    of="income_3m",
    vtype=MONEY,
    reference=REG,
    label=L(
        az="Ailənin 3 aylıq gəliri",
        uz="Oilaning 3 oylik daromadi",
        ru="Доход семьи за 3 месяца",
        en="Family income of the 3 months before",
    ),
)
children_under_18 = members(
    "children_under_18",
    How.COUNT,
    where="child_under_18",
    reference=REG,
    label=L(
        az="18 yaşınadək uşaqlar",
        uz="18 yoshgacha bolalar",
        ru="Детей до 18 лет",
        en="Children under 18",
    ),
)


@variable(
    HOUSEHOLD,
    MONEY,
    reference=REG,
    label=L(
        az="Adambaşına orta aylıq gəlir",
        uz="Jon boshiga o'rtacha oylik daromad",
        ru="Среднедушевой месячный доход",
        en="Per-capita monthly income",
    ),
    note=L(
        az="3 aylıq gəlir ÷ üzvlər ÷ 3",
        uz="3 oylik daromad ÷ a'zolar ÷ 3",
        ru="доход за 3 месяца ÷ члены семьи ÷ 3",
        en="income of 3 months ÷ members ÷ 3",
    ),
)
def per_capita_income(f: Formula) -> pl.Expr:
    members_ = f.var("household_members")
    per_month = f.var("household_income_3m") / f.param("low_income.income_months")
    return pl.when(members_ > 0).then(per_month / members_).otherwise(per_month)


@variable(
    HOUSEHOLD,
    BOOL,
    reference=REG,
    label=L(
        az="Az təminatlı ailə",
        uz="Kam ta'minlangan oila",
        ru="Малообеспеченная семья",
        en="Low-income family",
    ),
    note=L(
        az="adambaşına gəlir < minimum istehlak xərcləri",
        uz="jon boshiga daromad < eng kam iste'mol xarajatlari",
        ru="среднедушевой доход < минимальных потребительских расходов",
        en="per-capita income < minimum consumer expenditure",
    ),
)
def low_income(f: Formula) -> pl.Expr:
    return f.var("per_capita_income") < f.param("low_income.minimum_consumer_expenditure")


@variable(
    HOUSEHOLD,
    ENUM,
    reference=REG,
    values={
        "low_income_with_children": L(
            az="az təminatlı, uşaqlı",
            uz="kam ta'minlangan, bolali",
            ru="малообеспеченная, с детьми",
            en="low-income, with children",
        ),
        "low_income_without_children": L(
            az="az təminatlı, uşaqsız",
            uz="kam ta'minlangan, bolasiz",
            ru="малообеспеченная, без детей",
            en="low-income, no children",
        ),
        "not_low_income": L(
            az="az təminatlı deyil",
            uz="kam ta'minlangan emas",
            ru="не малообеспеченная",
            en="not low-income",
        ),
    },
    label=L(
        az="Reyestr kateqoriyası",
        uz="Reestr toifasi",
        ru="Категория в реестре",
        en="Registry category",
    ),
)
def registry_category(f: Formula) -> pl.Expr:
    return (
        pl.when(~f.var("low_income"))
        .then(pl.lit("not_low_income"))
        .when(f.var("children_under_18") > 0)
        .then(pl.lit("low_income_with_children"))
        .otherwise(pl.lit("low_income_without_children"))
    )
