"""Social benefits (sosial müavinətlər), amounts from 1 July 2025."""

import polars as pl

from dost.rules import BOOL, MONEY, PERSON, Formula, How, L, household_value, members, variable
from dost.rules.dates import within

LAW = 'Law "On social benefits" (7 February 2006, No. 55-IIIQ)'
DECREE = "Presidential decree on the 5th social reform package, amounts from 1 July 2025"


@variable(
    PERSON,
    MONEY,
    reference=f"{LAW}, benefit to persons with disabilities; {DECREE}",
    label=L(
        az="Əlilliyə görə müavinət",
        uz="Nogironlik nafaqasi",
        ru="Пособие по инвалидности",
        en="Disability benefit",
    ),
    note=L(
        az="pozulma dərəcəsinə görə: 81–100 %, 61–80 %, 31–60 %; 18 yaşdan",
        uz="buzilish darajasiga ko'ra: 81–100 %, 61–80 %, 31–60 %; 18 yoshdan",
        ru="по степени нарушения: 81–100 %, 61–80 %, 31–60 %; с 18 лет",
        en=(
            "by impairment band 81–100 %, 61–80 %, 31–60 %; adults (children have their own "
            "benefit)"
        ),
    ),
)
def disability_benefit(f: Formula) -> pl.Expr:
    amount = f.scale("benefits.disability", f.var("disability_percent"))
    return pl.when(f.var("age") >= 18).then(amount).otherwise(0.0)


@variable(
    PERSON,
    MONEY,
    reference=f"{LAW}, benefit for the loss of the family head; {DECREE}",
    label=L(
        az="Ailə başçısını itirməyə görə müavinət",
        uz="Boquvchisini yo'qotganlik nafaqasi",
        ru="Пособие по потере кормильца",
        en="Loss of breadwinner benefit",
    ),
    note=L(
        az="valideyni vəfat etmiş 18 yaşadək uşaq",
        uz="ota-onasi vafot etgan 18 yoshgacha bola",
        ru="ребёнок до 18 лет, у которого умер родитель",
        en="a child under 18 whose parent died",
    ),
)
def breadwinner_loss_benefit(f: Formula) -> pl.Expr:
    entitled = (f.var("deceased_parents") > 0) & (f.var("age") < 18)
    return pl.when(entitled).then(f.param("benefits.breadwinner_loss")).otherwise(0.0)


household_tssa_eligible = household_value(
    "household_tssa_eligible",
    of="tssa_eligible",
    vtype=BOOL,
    reference=f"{LAW}, benefit for a child under 1 in a TSSA family",
    label=L(
        az="Ailə ÜDSY alır",
        uz="Oila manzilli yordam oladi",
        ru="Семья получает АГСП",
        en="Household entitled to TSSA",
    ),
)


@variable(
    PERSON,
    MONEY,
    reference=f"{LAW}, benefit for a child under 1 in a TSSA family; {DECREE}",
    label=L(
        az="Bir yaşınadək uşağa görə müavinət",
        uz="Bir yoshgacha bola nafaqasi",
        ru="Пособие на ребёнка до года",
        en="Benefit for a child under one",
    ),
    note=L(
        az="ÜDSY alan ailədə 1 yaşınadək hər uşaq",
        uz="manzilli yordam oluvchi oiladagi 1 yoshgacha har bir bola",
        ru="каждый ребёнок до 1 года в семье, получающей АГСП",
        en="each child under 1 in a family entitled to TSSA",
    ),
)
def child_under_one_benefit(f: Formula) -> pl.Expr:
    entitled = (f.var("age") < 1) & f.var("household_tssa_eligible")
    return pl.when(entitled).then(f.param("benefits.child_under_one")).otherwise(0.0)


child_under_one_total = members(
    "child_under_one_total",
    How.SUM,
    of="child_under_one_benefit",
    vtype=MONEY,
    reference=f"{LAW}, benefit for a child under 1 in a TSSA family",
    label=L(
        az="Bir yaşınadək uşaqlara görə müavinət (ailə)",
        uz="Bir yoshgacha bolalar nafaqasi (oila)",
        ru="Пособия на детей до года (семья)",
        en="Benefits for children under one (household)",
    ),
)


@variable(
    PERSON,
    MONEY,
    reference=f"{LAW}, lump sum on the birth of a child; {DECREE}",
    label=L(
        az="Uşağın doğulmasına görə birdəfəlik müavinət",
        uz="Bola tug'ilganda bir martalik nafaqa",
        ru="Единовременное пособие при рождении",
        en="Childbirth lump sum",
    ),
    note=L(
        az="bu ay doğulmuş uşağa görə",
        uz="shu oyda tug'ilgan bola uchun",
        ru="за ребёнка, родившегося в этом месяце",
        en="for a person born in the month",
    ),
)
def childbirth_grant(f: Formula) -> pl.Expr:
    born = within(f.var("birth_date"), f.start, f.end)
    return pl.when(born).then(f.param("benefits.childbirth")).otherwise(0.0)


@variable(
    PERSON,
    BOOL,
    reference='Law "On labour pensions"; Law "On social insurance"',
    label=L(
        az="Pensiyaçı və ya sığortaolunan",
        uz="Pensioner yoki sug'urtalangan",
        ru="Пенсионер или застрахованный",
        en="Pensioner or insured person",
    ),
)
def pensioner_or_insured(f: Formula) -> pl.Expr:
    return (f.var("pension_3m") > 0) | (f.var("insurance_record_months") > 0) | f.var("employed")


@variable(
    PERSON,
    MONEY,
    reference=f"{LAW}, lump sum for funeral expenses; {DECREE}",
    label=L(
        az="Dəfn müavinəti", uz="Dafn nafaqasi", ru="Пособие на погребение", en="Funeral lump sum"
    ),
    note=L(
        az=(
            "bu ay vəfat edənə görə: pensiyaçı/sığortaolunan üçün 3 × minimum pensiya, digərlərinə"
            " sabit məbləğ"
        ),
        uz=(
            "shu oyda vafot etgan uchun: pensioner/sug'urtalangan uchun 3 × eng kam pensiya, "
            "boshqalarga qat'iy summa"
        ),
        ru=(
            "за умершего в этом месяце: 3 × минимальная пенсия для пенсионера/застрахованного, "
            "иначе фиксированная сумма"
        ),
        en=(
            "for a person who died in the month: 3 × minimum pension for a pensioner or insured "
            "person, else the fixed sum"
        ),
    ),
)
def funeral_grant(f: Formula) -> pl.Expr:
    died = within(f.var("death_date"), f.start, f.end)
    pensioner = f.param("benefits.funeral_pensioner_multiple") * f.param("pension.minimum")
    amount = (
        pl.when(f.var("pensioner_or_insured"))
        .then(pensioner)
        .otherwise(f.param("benefits.funeral"))
    )
    return pl.when(died).then(amount).otherwise(0.0)
