"""Child allowance and material assistance for low-income families."""

import polars as pl

from dost.rules import (
    BOOL,
    HOUSEHOLD,
    INT,
    MONEY,
    PERSON,
    Formula,
    How,
    L,
    household_value,
    members,
    variable,
)

REG = (
    "Regulation on social benefits and material assistance to low-income families (Cabinet of "
    "Ministers)"
)

household_low_income = household_value(
    "household_low_income",
    of="low_income",
    vtype=BOOL,
    reference=REG,
    label=L(
        az="Ailə az təminatlıdır",
        uz="Oila kam ta'minlangan",
        ru="Семья малообеспеченная",
        en="Household is low-income",
    ),
)


@variable(
    PERSON,
    INT,
    reference=REG,
    label=L(
        az="Uşağın sırası (3–18 yaş)",
        uz="Bolaning tartibi (3–18 yosh)",
        ru="Очерёдность ребёнка (3–18 лет)",
        en="Birth order among children aged 3–18",
    ),
    note=L(
        az="3–18 yaşlı uşaqlar arasında böyükdən kiçiyə",
        uz="3–18 yoshli bolalar orasida kattasidan boshlab",
        ru="среди детей 3–18 лет, начиная со старшего",
        en="among the household's children aged 3–18, eldest first",
    ),
)
def child_rank(f: Formula) -> pl.Expr:
    age = f.var("age")
    born = pl.when((age >= 3) & (age < 18)).then(f.var("birth_date"))
    # A window over the household: the same expression ranks one household or ten million.
    return f.in_household(born.rank("ordinal"))


@variable(
    PERSON,
    MONEY,
    reference=REG,
    label=L(
        az="Uşaq müavinəti", uz="Bolalar nafaqasi", ru="Пособие на ребёнка", en="Child allowance"
    ),
    note=L(
        az=(
            "az təminatlı ailədə: 3 yaşınadək 360 000; 3–18 yaş: 1-ci 275 000, 2-ci 165 000, "
            "sonrakılar 110 000"
        ),
        uz=(
            "kam ta'minlangan oilada: 3 yoshgacha 360 000; 3–18 yosh: 1-chi 275 000, 2-chi 165 "
            "000, keyingilar 110 000"
        ),
        ru=(
            "в малообеспеченной семье: до 3 лет 360 000; 3–18 лет: 1-й 275 000, 2-й 165 000, "
            "следующие 110 000"
        ),
        en=(
            "in a low-income family: under 3 360,000; aged 3–18: 1st 275,000, 2nd 165,000, each "
            "further 110,000"
        ),
    ),
)
def child_allowance(f: Formula) -> pl.Expr:
    by_rank = f.scale("allowances.child_allowance.by_rank", f.var("child_rank"))
    amount = (
        pl.when(f.var("age") < 3)
        .then(f.param("allowances.child_allowance.under_3"))
        .when(f.var("child_rank").is_not_null())
        .then(by_rank)
        .otherwise(0.0)
    )
    return pl.when(f.var("household_low_income")).then(amount).otherwise(0.0).fill_null(0.0)


child_allowance_total = members(
    "child_allowance_total",
    How.SUM,
    of="child_allowance",
    vtype=MONEY,
    reference=REG,
    label=L(
        az="Uşaq müavinəti (ailə)",
        uz="Bolalar nafaqasi (oila)",
        ru="Пособия на детей (семья)",
        en="Child allowance (household)",
    ),
)


@variable(
    HOUSEHOLD,
    MONEY,
    reference=REG,
    label=L(
        az="Maddi yardım", uz="Moddiy yordam", ru="Материальная помощь", en="Material assistance"
    ),
    note=L(
        az="18 yaşınadək uşağı olmayan az təminatlı ailəyə",
        uz="18 yoshgacha bolasi yo'q kam ta'minlangan oilaga",
        ru="малообеспеченной семье без детей до 18 лет",
        en="a low-income family with no children under 18",
    ),
)
def material_assistance(f: Formula) -> pl.Expr:
    entitled = f.var("low_income") & (f.var("children_under_18") == 0)
    return pl.when(entitled).then(f.param("allowances.material_assistance")).otherwise(0.0)
