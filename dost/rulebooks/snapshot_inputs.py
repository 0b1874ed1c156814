"""Input variables for every column of the period snapshot (docs/snapshot.md).

The snapshot is the same for every country, so its columns are declared once; a rulebook's
`inputs` module imports the ones its rules read (the loader counts an imported variable once).
"""

from dost.rules import BOOL, DATE, ENUM, HOUSEHOLD, INT, MONEY, PERSON, L, input_variable

SNAPSHOT = "Registry period snapshot (docs/snapshot.md)"

role = input_variable(
    "role",
    PERSON,
    ENUM,
    values=("head", "spouse", "child", "parent", "other"),
    reference=SNAPSHOT,
    label=L(az="Ailədə rolu", uz="Oiladagi o'rni", ru="Роль в семье", en="Role in the household"),
)
sex = input_variable(
    "sex",
    PERSON,
    ENUM,
    values=("M", "F"),
    reference=SNAPSHOT,
    label=L(az="Cins", uz="Jinsi", ru="Пол", en="Sex"),
)
birth_date = input_variable(
    "birth_date",
    PERSON,
    DATE,
    reference=SNAPSHOT,
    label=L(az="Doğum tarixi", uz="Tug'ilgan sana", ru="Дата рождения", en="Date of birth"),
)
death_date = input_variable(
    "death_date",
    PERSON,
    DATE,
    reference=SNAPSHOT,
    label=L(az="Ölüm tarixi", uz="Vafot sanasi", ru="Дата смерти", en="Date of death"),
)
citizenship = input_variable(
    "citizenship",
    PERSON,
    ENUM,
    reference=SNAPSHOT,
    label=L(az="Vətəndaşlıq", uz="Fuqarolik", ru="Гражданство", en="Citizenship"),
)
exclusion_status = input_variable(
    "exclusion_status",
    PERSON,
    ENUM,
    reference=SNAPSHOT,
    values={
        "conscript": L(
            az="hərbi xidmətdə", uz="harbiy xizmatda", ru="на военной службе", en="conscript"
        ),
        "state_care": L(
            az="tam dövlət təminatında",
            uz="to'liq davlat ta'minotida",
            ru="на полном гособеспечении",
            en="in full state care",
        ),
        "imprisoned": L(az="həbsdə", uz="qamoqda", ru="в заключении", en="imprisoned"),
        "wanted": L(az="axtarışda", uz="qidiruvda", ru="в розыске", en="wanted"),
        "abroad": L(az="xaricdə", uz="chet elda", ru="за границей", en="abroad"),
    },
    label=L(
        az="Ailə tərkibindən çıxarılma statusu",
        uz="Oila tarkibidan chiqarish holati",
        ru="Статус исключения из состава семьи",
        en="Status excluding from family size",
    ),
)
registered_jobseeker = input_variable(
    "registered_jobseeker",
    PERSON,
    BOOL,
    default=False,
    reference=SNAPSHOT,
    label=L(
        az="İş axtaran kimi qeydiyyatdadır",
        uz="Ish izlovchi sifatida ro'yxatda",
        ru="Зарегистрирован как ищущий работу",
        en="Registered jobseeker",
    ),
)
employed = input_variable(
    "employed",
    PERSON,
    BOOL,
    default=False,
    reference=SNAPSHOT,
    label=L(
        az="Əmək müqaviləsi var",
        uz="Mehnat shartnomasi bor",
        ru="Работает по трудовому договору",
        en="Employed",
    ),
)
income_12m = input_variable(
    "income_12m",
    PERSON,
    MONEY,
    default=0.0,
    reference=SNAPSHOT,
    label=L(
        az="Son 12 ayın gəliri",
        uz="Oxirgi 12 oy daromadi",
        ru="Доход за 12 месяцев",
        en="Income of the 12 months before",
    ),
)
wage_12m = input_variable(
    "wage_12m",
    PERSON,
    MONEY,
    default=0.0,
    reference=SNAPSHOT,
    label=L(
        az="Son 12 ayın əmək haqqı",
        uz="Oxirgi 12 oy ish haqi",
        ru="Заработная плата за 12 месяцев",
        en="Wages of the 12 months before",
    ),
)
pension_3m = input_variable(
    "pension_3m",
    PERSON,
    MONEY,
    default=0.0,
    reference=SNAPSHOT,
    label=L(
        az="Son 3 ayın pensiyası",
        uz="Oxirgi 3 oy pensiyasi",
        ru="Пенсия за 3 месяца",
        en="Pension of the 3 months before",
    ),
)
insured_months_24m = input_variable(
    "insured_months_24m",
    PERSON,
    INT,
    default=0,
    reference=SNAPSHOT,
    label=L(
        az="Son 24 ayda sığortalı aylar",
        uz="Oxirgi 24 oyda sug'urtalangan oylar",
        ru="Месяцы страхования из 24",
        en="Insured months of the last 24",
    ),
)
insurance_record_months = input_variable(
    "insurance_record_months",
    PERSON,
    INT,
    default=0,
    reference=SNAPSHOT,
    label=L(
        az="Sığorta stajı (ay)",
        uz="Sug'urta staji (oy)",
        ru="Страховой стаж (мес.)",
        en="Insurance record (months)",
    ),
)
pension_capital = input_variable(
    "pension_capital",
    PERSON,
    MONEY,
    default=0.0,
    reference=SNAPSHOT,
    label=L(
        az="Pensiya kapitalı", uz="Pensiya kapitali", ru="Пенсионный капитал", en="Pension capital"
    ),
)
disability_percent = input_variable(
    "disability_percent",
    PERSON,
    INT,
    reference=SNAPSHOT,
    label=L(
        az="Orqanizm funksiyalarının pozulma faizi",
        uz="Organizm funksiyalari buzilishi foizi",
        ru="Процент нарушения функций организма",
        en="Impairment of body functions (%)",
    ),
)
job_offers_refused_12m = input_variable(
    "job_offers_refused_12m",
    PERSON,
    INT,
    default=0,
    reference=SNAPSHOT,
    label=L(
        az="Rədd edilmiş uyğun iş təklifləri (12 ay)",
        uz="Rad etilgan mos ish takliflari (12 oy)",
        ru="Отказы от подходящей работы (12 мес.)",
        en="Suitable job offers refused (12 months)",
    ),
)
deceased_parents = input_variable(
    "deceased_parents",
    PERSON,
    INT,
    default=0,
    reference=SNAPSHOT,
    label=L(
        az="Vəfat etmiş valideynlər",
        uz="Vafot etgan ota-onalar",
        ru="Умершие родители",
        en="Deceased parents",
    ),
)
vehicles = input_variable(
    "vehicles",
    HOUSEHOLD,
    INT,
    default=0,
    reference=SNAPSHOT,
    label=L(
        az="Nəqliyyat vasitələri (reabilitasiya üçün verilənlərdən başqa)",
        uz="Transport vositalari (reabilitatsiya uchun berilganlardan tashqari)",
        ru="Транспортные средства (кроме выданных для реабилитации)",
        en="Vehicles (not counting those issued for rehabilitation)",
    ),
)
real_estate_same_purpose_max = input_variable(
    "real_estate_same_purpose_max",
    HOUSEHOLD,
    INT,
    default=0,
    reference=SNAPSHOT,
    label=L(
        az="Eyni təyinatlı daşınmaz əmlak (fərqli ünvanlarda)",
        uz="Bir xil maqsadli ko'chmas mulk (turli manzillarda)",
        ru="Недвижимость одного назначения (по разным адресам)",
        en="Real-estate units of one purpose at distinct addresses",
    ),
)
purchases_12m = input_variable(
    "purchases_12m",
    HOUSEHOLD,
    MONEY,
    default=0.0,
    reference=SNAPSHOT,
    label=L(
        az="Son 12 ayda alınmış əmlakın dəyəri",
        uz="Oxirgi 12 oyda olingan mol-mulk qiymati",
        ru="Стоимость приобретённого за 12 месяцев",
        en="Value of assets acquired in 12 months",
    ),
)
utilities_monthly = input_variable(
    "utilities_monthly",
    HOUSEHOLD,
    MONEY,
    default=0.0,
    reference=SNAPSHOT,
    label=L(
        az="Aylıq kommunal və rabitə xərcləri",
        uz="Oylik kommunal va aloqa xarajatlari",
        ru="Ежемесячные коммунальные расходы и связь",
        en="Monthly utilities and communications",
    ),
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
