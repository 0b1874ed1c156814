"""Inputs: the period snapshot's columns (docs/snapshot.md) that Uzbek rules read."""

from dost.rules import DATE, ENUM, MONEY, PERSON, L, input_variable

SNAPSHOT = "Registry period snapshot (docs/snapshot.md)"

role = input_variable(
    "role",
    PERSON,
    ENUM,
    values=("head", "spouse", "child", "parent", "other"),
    reference=SNAPSHOT,
    label=L(az="Ailədə rolu", uz="Oiladagi o'rni", ru="Роль в семье", en="Role in the household"),
)
birth_date = input_variable(
    "birth_date",
    PERSON,
    DATE,
    reference=SNAPSHOT,
    label=L(az="Doğum tarixi", uz="Tug'ilgan sana", ru="Дата рождения", en="Date of birth"),
)
income_3m = input_variable(
    "income_3m",
    PERSON,
    MONEY,
    default=0.0,
    reference=SNAPSHOT,
    label=L(
        az="Son 3 ayın gəliri",
        uz="Oxirgi 3 oy daromadi",
        ru="Доход за 3 месяца",
        en="Income of the 3 months before",
    ),
)
