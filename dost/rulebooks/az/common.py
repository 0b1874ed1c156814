"""Facts several Azerbaijani benefits share: age and the retirement age."""

import polars as pl

from dost.rules import BOOL, INT, PERSON, Formula, L, variable
from dost.rules.dates import age_months

PENSION_LAW = (
    'Law "On labour pensions" (No. 54-IIIQ, 2006), art. 7 (old-age pension age), '
    "as amended by Law No. 543-VQD of 2017"
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
    INT,
    reference="Civil Code: age in completed months on the first day of the month",
    label=L(az="Yaş (ay)", uz="Yosh (oy)", ru="Возраст (мес.)", en="Age (months)"),
)
def age_in_months(f: Formula) -> pl.Expr:
    return age_months(f.var("birth_date"), f.start)


@variable(
    PERSON,
    INT,
    reference=PENSION_LAW,
    label=L(
        az="Pensiya yaşı (ay)",
        uz="Pensiya yoshi (oy)",
        ru="Пенсионный возраст (мес.)",
        en="Retirement age (months)",
    ),
)
def retirement_age(f: Formula) -> pl.Expr:
    return (
        pl.when(f.var("sex") == "M")
        .then(f.param("pension.retirement_age_men"))
        .otherwise(f.param("pension.retirement_age_women"))
    )


@variable(
    PERSON,
    BOOL,
    reference=PENSION_LAW,
    label=L(
        az="Pensiya yaşına çatıb",
        uz="Pensiya yoshiga yetgan",
        ru="Достиг пенсионного возраста",
        en="Has reached retirement age",
    ),
    note=L(
        az="ay ilə yaş ≥ pensiya yaşı",
        uz="oylardagi yosh ≥ pensiya yoshi",
        ru="возраст в месяцах ≥ пенсионного возраста",
        en="age in months ≥ retirement age",
    ),
)
def retirement_age_reached(f: Formula) -> pl.Expr:
    # The schedule rises 6 months a year while people age 12: being at or above the age in
    # force now is the same as having reached the age in force when it was reached.
    return (f.var("age_in_months") >= f.var("retirement_age")).fill_null(False)


@variable(
    PERSON,
    BOOL,
    reference='Law "On targeted state social assistance"; Labour Code (working age)',
    label=L(
        az="Əmək qabiliyyətli yaşdadır",
        uz="Mehnatga layoqatli yoshda",
        ru="Трудоспособного возраста",
        en="Able-bodied (working age, no disability)",
    ),
    note=L(
        az="18 yaş və yuxarı, pensiya yaşına çatmayıb, əlilliyi yoxdur",
        uz="18 yosh va undan katta, pensiya yoshiga yetmagan, nogironligi yo'q",
        ru="18 лет и старше, не достиг пенсионного возраста, нет инвалидности",
        en="aged 18 or more, below retirement age, no disability determination",
    ),
)
def able_bodied(f: Formula) -> pl.Expr:
    return (
        (f.var("age") >= 18)
        & ~f.var("retirement_age_reached")
        & f.var("disability_percent").is_null()
    ).fill_null(False)
