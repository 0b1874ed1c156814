"""Targeted state social assistance (TSSA, ünvanlı dövlət sosial yardımı).

Amount = max(0, family size × need criterion − average monthly income of the 12 months
before the application month), unless a refusal ground applies; the decision lists every
ground that applies, not just the first.
"""

import polars as pl

from dost.rules import BOOL, CODES, HOUSEHOLD, MONEY, PERSON, Formula, How, L, members, variable
from dost.rules.codes import which

LAW = 'Law "On targeted state social assistance" (21 October 2005, No. 1039-IIQ)'
RULES = "Rules for assigning and paying TSSA (Cabinet of Ministers)"
EXCLUDED = ("conscript", "state_care", "imprisoned", "wanted", "abroad")


@variable(
    PERSON,
    BOOL,
    reference=f"{LAW}, art. 1.0.2 (family); {RULES}, persons not counted",
    label=L(az="Əcnəbidir", uz="Chet el fuqarosi", ru="Иностранец", en="Foreign citizen"),
    note=L(
        az="vətəndaşlıq AZ deyil (vətəndaşlığı olmayanlar əcnəbi sayılmır)",
        uz="fuqarolik AZ emas (fuqaroligi yo'qlar chet ellik hisoblanmaydi)",
        ru="гражданство не AZ (лица без гражданства иностранцами не считаются)",
        en="citizenship other than AZ (stateless persons are not foreigners)",
    ),
)
def tssa_foreigner(f: Formula) -> pl.Expr:
    return (~f.var("citizenship").is_in(["AZ", ""])).fill_null(False)


@variable(
    PERSON,
    BOOL,
    reference=f"{LAW}, art. 1.0.2 (family); {RULES}, persons not counted in the family",
    label=L(
        az="Ailə tərkibində nəzərə alınır",
        uz="Oila tarkibida hisobga olinadi",
        ru="Учитывается в составе семьи",
        en="Counted in family size",
    ),
    note=L(
        az=(
            "hərbi xidmətdə, tam dövlət təminatında, həbsdə, axtarışda, xaricdə olan və əcnəbilər "
            "sayılmır"
        ),
        uz=(
            "harbiy xizmatdagi, to'liq davlat ta'minotidagi, qamoqdagi, qidiruvdagi, chet eldagi "
            "va chet elliklar hisoblanmaydi"
        ),
        ru=(
            "не учитываются призывники, находящиеся на полном гособеспечении, заключённые, "
            "разыскиваемые, находящиеся за границей и иностранцы"
        ),
        en=(
            "conscripts, persons in full state care, prisoners, wanted persons, persons abroad and"
            " foreigners are not counted"
        ),
    ),
)
def tssa_counted_in_family(f: Formula) -> pl.Expr:
    excluded = f.var("exclusion_status").is_in(list(EXCLUDED)).fill_null(False)
    return ~excluded & ~f.var("tssa_foreigner")


tssa_family_size = members(
    "tssa_family_size",
    How.COUNT,
    where="tssa_counted_in_family",
    reference=f"{LAW}, art. 1.0.2 (family)",
    label=L(
        az="Ailə üzvlərinin sayı",
        uz="Oila a'zolari soni",
        ru="Число членов семьи",
        en="Family size",
    ),
)
tssa_family_income_12m = members(
    "tssa_family_income_12m",
    How.SUM,
    of="income_12m",
    where="tssa_counted_in_family",
    vtype=MONEY,
    reference=f"{LAW}, art. 1.0.3 (family income); {RULES}, income counted",
    label=L(
        az="Ailənin 12 aylıq gəliri",
        uz="Oilaning 12 oylik daromadi",
        ru="Доход семьи за 12 месяцев",
        en="Family income of the 12 months before",
    ),
)


@variable(
    HOUSEHOLD,
    MONEY,
    reference=f"{LAW}, art. 1.0.4 (average monthly income)",
    label=L(
        az="Orta aylıq gəlir",
        uz="O'rtacha oylik daromad",
        ru="Среднемесячный доход",
        en="Average monthly income",
    ),
    note=L(
        az="12 aylıq gəlir ÷ 12",
        uz="12 oylik daromad ÷ 12",
        ru="доход за 12 месяцев ÷ 12",
        en="income of the 12 months ÷ 12",
    ),
)
def tssa_average_income(f: Formula) -> pl.Expr:
    return f.var("tssa_family_income_12m") / f.param("tssa.income_months")


@variable(
    HOUSEHOLD,
    MONEY,
    reference=f"{LAW}, arts. 1.0.1 and 1.0.5 (need criterion, needy family); amount of assistance",
    label=L(
        az="Ailənin ehtiyac həddi",
        uz="Oilaning muhtojlik chegarasi",
        ru="Порог нуждаемости семьи",
        en="Family need threshold",
    ),
    note=L(
        az="ailə üzvlərinin sayı × ehtiyac meyarı",
        uz="oila a'zolari soni × muhtojlik mezoni",
        ru="число членов семьи × критерий нуждаемости",
        en="family size × need criterion",
    ),
)
def tssa_need_threshold(f: Formula) -> pl.Expr:
    return f.var("tssa_family_size") * f.param("tssa.need_criterion")


@variable(
    HOUSEHOLD,
    BOOL,
    reference=f"{RULES}, refusal ground: vehicle",
    label=L(
        az="Nəqliyyat vasitəsi var",
        uz="Transport vositasi bor",
        ru="Есть транспортное средство",
        en="Owns a vehicle (not issued for rehabilitation)",
    ),
)
def tssa_refused_vehicle(f: Formula) -> pl.Expr:
    return f.var("vehicles") > 0


@variable(
    HOUSEHOLD,
    BOOL,
    reference=f"{RULES}, refusal ground: purchases",
    label=L(
        az="Alışlar həddi aşır",
        uz="Xaridlar chegaradan oshgan",
        ru="Покупки выше порога",
        en="Purchases above 12 subsistence minimums",
    ),
    note=L(
        az="12 ayda alışlar > 12 × yaşayış minimumu",
        uz="12 oydagi xaridlar > 12 × yashash minimumi",
        ru="покупки за 12 месяцев > 12 × прожиточный минимум",
        en="purchases in 12 months > 12 × subsistence minimum",
    ),
)
def tssa_refused_purchases(f: Formula) -> pl.Expr:
    limit = f.param("tssa.refusal.purchases_months_of_minimum") * f.param("subsistence.minimum")
    return f.var("purchases_12m") > limit


@variable(
    HOUSEHOLD,
    MONEY,
    reference=f"{RULES}, refusal ground: utilities",
    label=L(
        az="Adambaşına kommunal xərclər",
        uz="Jon boshiga kommunal xarajatlar",
        ru="Коммунальные расходы на члена семьи",
        en="Utilities per family member",
    ),
    note=L(
        az="aylıq kommunal xərclər ÷ ailə üzvlərinin sayı",
        uz="oylik kommunal xarajatlar ÷ oila a'zolari soni",
        ru="коммунальные расходы в месяц ÷ число членов семьи",
        en="monthly utilities ÷ family size",
    ),
)
def tssa_utilities_per_member(f: Formula) -> pl.Expr:
    size = f.var("tssa_family_size")
    return (
        pl.when(size > 0)
        .then(f.var("utilities_monthly") / size)
        .otherwise(f.var("utilities_monthly"))
    )


@variable(
    HOUSEHOLD,
    BOOL,
    reference=f"{RULES}, refusal ground: utilities",
    label=L(
        az="Kommunal xərclər həddi aşır",
        uz="Kommunal xarajatlar chegaradan oshgan",
        ru="Коммунальные расходы выше порога",
        en="Utilities at or above 15 % of the subsistence minimum",
    ),
    note=L(
        az="adambaşına kommunal xərclər ≥ 15 % × yaşayış minimumu",
        uz="jon boshiga kommunal xarajatlar ≥ 15 % × yashash minimumi",
        ru="коммунальные расходы на человека ≥ 15 % × прожиточный минимум",
        en="utilities per member ≥ 15 % × subsistence minimum",
    ),
)
def tssa_refused_utilities(f: Formula) -> pl.Expr:
    limit = f.param("tssa.refusal.utilities_share_of_minimum") * f.param("subsistence.minimum")
    return f.var("tssa_utilities_per_member") >= limit


@variable(
    HOUSEHOLD,
    BOOL,
    reference=f"{RULES}, refusal ground: real estate",
    label=L(
        az="Eyni təyinatlı iki və daha çox daşınmaz əmlak",
        uz="Bir xil maqsadli ikki va undan ortiq ko'chmas mulk",
        ru="Две и более единицы недвижимости одного назначения",
        en="Two or more same-purpose real-estate units",
    ),
)
def tssa_refused_real_estate(f: Formula) -> pl.Expr:
    return f.var("real_estate_same_purpose_max") >= f.param("tssa.refusal.same_purpose_real_estate")


@variable(
    PERSON,
    BOOL,
    reference=f"{LAW}, refusal of suitable work",
    label=L(
        az="İki uyğun iş təklifindən imtina edib",
        uz="Ikki mos ish taklifini rad etgan",
        ru="Отказался от двух подходящих предложений работы",
        en="Refused two suitable job offers",
    ),
    note=L(
        az="əmək qabiliyyətli, işləmir və ≥ 2 təklifdən imtina edib",
        uz="mehnatga layoqatli, ishlamaydi va ≥ 2 taklifni rad etgan",
        ru="трудоспособен, не работает и отказался от ≥ 2 предложений",
        en="able-bodied, not working, and refused ≥ 2 offers",
    ),
)
def tssa_refused_job_offers_person(f: Formula) -> pl.Expr:
    refused = f.var("job_offers_refused_12m") >= f.param("tssa.refusal.refused_job_offers")
    return f.var("able_bodied") & ~f.var("employed") & refused & f.var("tssa_counted_in_family")


tssa_refused_job_offers = members(
    "tssa_refused_job_offers",
    How.ANY,
    of="tssa_refused_job_offers_person",
    reference=f"{LAW}, refusal of suitable work",
    label=L(
        az="Ailə üzvü iş təkliflərindən imtina edib",
        uz="Oila a'zosi ish takliflarini rad etgan",
        ru="Член семьи отказался от предложений работы",
        en="A member refused two suitable job offers",
    ),
)

REASONS = {
    "vehicle": "tssa_refused_vehicle",
    "purchases": "tssa_refused_purchases",
    "utilities": "tssa_refused_utilities",
    "real_estate": "tssa_refused_real_estate",
    "job_offers": "tssa_refused_job_offers",
}
REASON_LABELS = {
    "vehicle": L(
        az="nəqliyyat vasitəsi", uz="transport vositasi", ru="транспортное средство", en="a vehicle"
    ),
    "purchases": L(
        az="12 ayda böyük alışlar",
        uz="12 oyda katta xaridlar",
        ru="крупные покупки за 12 месяцев",
        en="large purchases in 12 months",
    ),
    "utilities": L(
        az="yüksək kommunal xərclər",
        uz="yuqori kommunal xarajatlar",
        ru="высокие коммунальные расходы",
        en="high utility spending",
    ),
    "real_estate": L(
        az="eyni təyinatlı iki və daha çox əmlak",
        uz="bir xil maqsadli ikki va undan ortiq mulk",
        ru="две и более единицы недвижимости одного назначения",
        en="two or more same-purpose properties",
    ),
    "job_offers": L(
        az="iki uyğun iş təklifindən imtina",
        uz="ikki mos ish taklifini rad etish",
        ru="отказ от двух подходящих предложений работы",
        en="two suitable job offers refused",
    ),
}


@variable(
    HOUSEHOLD,
    CODES,
    reference=f"{RULES}, grounds for refusal",
    values=REASON_LABELS,
    label=L(
        az="İmtina əsasları", uz="Rad etish asoslari", ru="Основания отказа", en="Refusal reasons"
    ),
    note=L(
        az="tətbiq olunan bütün imtina əsasları",
        uz="qo'llaniladigan barcha rad etish asoslari",
        ru="все применимые основания отказа",
        en="every refusal ground that applies",
    ),
)
def tssa_refusal_reasons(f: Formula) -> pl.Expr:
    return which({code: f.var(name) for code, name in REASONS.items()})


@variable(
    HOUSEHOLD,
    BOOL,
    reference=f"{RULES}, grounds for refusal",
    label=L(
        az="İmtina əsası var",
        uz="Rad etish asosi bor",
        ru="Есть основание отказа",
        en="A refusal ground applies",
    ),
)
def tssa_refused(f: Formula) -> pl.Expr:
    # Booleans, not the list of reasons: the decision must not pay for building lists.
    return pl.any_horizontal([f.var(name) for name in REASONS.values()]).fill_null(False)


@variable(
    HOUSEHOLD,
    BOOL,
    reference=f"{LAW}, art. 3 (families entitled to assistance)",
    label=L(
        az="ÜDSY hüququ var",
        uz="Manzilli yordamga huquqi bor",
        ru="Право на АГСП",
        en="Entitled to TSSA",
    ),
    note=L(
        az="imtina əsası yoxdur və orta gəlir ehtiyac həddindən azdır",
        uz="rad etish asosi yo'q va o'rtacha daromad muhtojlik chegarasidan kam",
        ru="нет оснований отказа и средний доход ниже порога нуждаемости",
        en="no refusal ground and average income below the need threshold",
    ),
)
def tssa_eligible(f: Formula) -> pl.Expr:
    return ~f.var("tssa_refused") & (f.var("tssa_average_income") < f.var("tssa_need_threshold"))


@variable(
    HOUSEHOLD,
    MONEY,
    reference=f"{LAW}, arts. 1.0.1 and 1.0.5 (need criterion, needy family); amount of assistance",
    label=L(az="ÜDSY məbləği", uz="Manzilli yordam miqdori", ru="Размер АГСП", en="TSSA amount"),
    note=L(
        az="ehtiyac həddi − orta aylıq gəlir (hüquq varsa)",
        uz="muhtojlik chegarasi − o'rtacha oylik daromad (huquq bo'lsa)",
        ru="порог нуждаемости − среднемесячный доход (при наличии права)",
        en="need threshold − average monthly income, if entitled",
    ),
)
def tssa_amount(f: Formula) -> pl.Expr:
    gap = (f.var("tssa_need_threshold") - f.var("tssa_average_income")).clip(lower_bound=0.0)
    return pl.when(f.var("tssa_eligible")).then(gap).otherwise(0.0)
