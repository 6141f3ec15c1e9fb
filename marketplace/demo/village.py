"""The demo village: the people of a small fishing cooperative on Hokkaido's northern Okhotsk
coast, and what they have for sale today. Plain data; `services.load_village` builds it.

The people are invented; the ports, species, methods and seasons are real.
"""

from __future__ import annotations

from dataclasses import dataclass

# Every demo login uses it (at least 10 characters, as sign-up asks). Not a secret: it is
# printed by `flask demo load` and written in the README.
PASSWORD = "hamaichi-demo"  # noqa: S105


@dataclass(frozen=True)
class Picture:
    """What to draw: a motif from `pictures.MOTIFS`, a caption in Latin letters and a subtitle."""

    motif: str
    title: str
    subtitle: str = ""
    packaged: bool = False
    colour: tuple[int, int, int] | None = None


@dataclass(frozen=True)
class Person:
    key: str
    email: str
    role: str
    display_name: str
    locale: str | None = None
    # A seller's profile, as the application form sends it; `status` is the cooperative's decision.
    profile: dict | None = None
    status: str = "approved"
    portrait: Picture | None = None


@dataclass(frozen=True)
class Offer:
    """A listing in the API's request names, plus when it was caught (hours before loading)
    or how long it keeps (days from today), and its picture."""

    seller: str
    data: dict
    picture: Picture
    hours_ago: float | None = None
    keeps_days: int | None = None


def _story(ja: str, en: str) -> str:
    return f"{ja}\n\n{en}"


PEOPLE: tuple[Person, ...] = (
    Person("admin", "kumiai@hamaichi.example", "admin", "北オホーツク浜市 組合事務所", "ja"),
    Person(
        "sato",
        "sato@hamaichi.example",
        "seller",
        "佐藤 浩二",
        "ja",
        profile={
            "kind": "fisher",
            "name": "佐藤 浩二 · Koji Sato",
            "boat_name": "第八 幸漁丸 (Koryo Maru No. 8)",
            "home_port": "枝幸",
            "fishing_method": "かご漁",
            "member_number": "ES-0412",
            "story": _story(
                "枝幸で三代続く漁師です。春から夏は毛ガニのかご漁、秋は定置網で秋鮭を獲っています。"
                "朝に揚がった蟹はその日のうちに浜茹でして発送します。",
                "Third-generation fisher in Esashi. Hairy crab from our pots in spring and summer, "
                "autumn salmon from the set net in the fall. Crabs landed in the morning are boiled "
                "on the beach and shipped the same day.",
            ),
        },
        portrait=Picture("boat", "Koryo Maru No. 8", "Esashi · hairy crab pots, set net"),
    ),
    Person(
        "takahashi",
        "takahashi@hamaichi.example",
        "seller",
        "高橋 美咲",
        "ja",
        profile={
            "kind": "fisher",
            "name": "高橋 美咲 · Misaki Takahashi",
            "boat_name": "美咲丸 (Misaki Maru)",
            "home_port": "雄武",
            "fishing_method": "素潜り・潜水",
            "member_number": "OM-0178",
            "story": _story(
                "雄武の海に潜ってウニを獲っています。海が凪いだ日の朝だけ、一つずつ手で選んだウニを、"
                "漁協の作業場で塩水に詰めてお届けします。",
                "I dive for sea urchin off Omu. Only on calm mornings, picked one by one by hand, "
                "packed in sea-water brine at the cooperative's workshop.",
            ),
        },
        portrait=Picture("boat", "Misaki Maru", "Omu · diving for sea urchin"),
    ),
    Person(
        "ito",
        "ito@hamaichi.example",
        "seller",
        "伊藤 健太",
        "ja",
        profile={
            "kind": "fisher",
            "name": "伊藤 健太 · Kenta Ito",
            "boat_name": "第三 紋栄丸 (Mon'ei Maru No. 3)",
            "home_port": "紋別",
            "fishing_method": "いか釣り",
            "member_number": "MB-0233",
            "story": _story(
                "紋別港から夜のいか釣りに出ています。集魚灯の下で一杯ずつ釣り上げたスルメイカは、"
                "船上ですぐに冷やすので透き通ったまま届きます。流氷が来るまでは刺し網でホッケやマダラも。",
                "Night squid jigging out of Monbetsu. Every squid is caught one at a time under the "
                "lamps and chilled on board at once, so it arrives still translucent. Until the drift "
                "ice comes we also gill-net Atka mackerel and cod.",
            ),
        },
        portrait=Picture("boat", "Mon'ei Maru No. 3", "Monbetsu · squid jigging, gill net"),
    ),
    Person(
        "tanaka",
        "tanaka@hamaichi.example",
        "seller",
        "田中 大地",
        "ja",
        profile={
            "kind": "fisher",
            "name": "田中 大地 · Daichi Tanaka",
            "boat_name": "大地丸 (Daichi Maru)",
            "home_port": "猿払",
            "fishing_method": "桁網",
            "member_number": "SR-0091",
            "story": _story(
                "猿払は日本一のホタテの村。四年かけて海で育てたホタテを桁網で水揚げしています。"
                "殻付きは活きたまま、貝柱はお刺身用に。",
                "Sarufutsu is Japan's biggest scallop village. Our scallops grow on the open seabed "
                "for four years before we dredge them. In the shell they travel alive; the adductors "
                "are for sashimi.",
            ),
        },
        portrait=Picture("boat", "Daichi Maru", "Sarufutsu · scallop dredge"),
    ),
    Person(
        "himono",
        "himono@hamaichi.example",
        "seller",
        "オホーツク干物工房",
        "ja",
        profile={
            "kind": "processor",
            "name": "オホーツク干物工房 · Okhotsk Himono Workshop",
            "boat_name": "",
            "home_port": "枝幸",
            "fishing_method": "加工品",
            "member_number": "ES-P015",
            "story": _story(
                "浜の女性五人で営む小さな加工場です。近所の漁師から仕入れたイカ、鮭、ホタテを、"
                "潮風と天日で干し上げます。保存料は使いません。",
                "A small workshop run by five women of the harbour. Squid, salmon and scallops from "
                "our neighbours' boats, dried in the sea wind and sun. No preservatives.",
            ),
        },
        portrait=Picture("workshop", "Okhotsk Himono Workshop", "Esashi · dried and salted goods"),
    ),
    Person(
        "yamamoto",
        "yamamoto@hamaichi.example",
        "seller",
        "山本 翔",
        "ja",
        profile={
            "kind": "fisher",
            "name": "山本 翔 · Sho Yamamoto",
            "boat_name": "翔洋丸 (Shoyo Maru)",
            "home_port": "雄武",
            "fishing_method": "刺し網",
            "member_number": "OM-0305",
            "story": _story(
                "今年、父の船を継ぎました。カレイの刺し網とミズダコのかご漁をしています。",
                "This year I took over my father's boat: flatfish from gill nets, octopus from pots.",
            ),
        },
        status="pending",
        portrait=Picture("boat", "Shoyo Maru", "Omu · gill net, octopus pots"),
    ),
    Person("restaurant", "chef@shiosai.example", "restaurant", "鮨 しおさい 銀座", "ja"),
    Person("tourist", "emma@visitor.example", "customer", "Emma Lewis", "en"),
)


def _catch(
    seller, species, ja, en, unit, price, quantity, *, hours_ago, picture, desc=None, **extra
) -> Offer:
    data = {
        "kind": "catch",
        "species": species,
        "title": {"ja": ja, "en": en},
        "unit": unit,
        "price_jpy": price,
        "quantity": quantity,
        **extra,
    }
    if desc:
        data["description"] = {"ja": desc[0], "en": desc[1]}
    return Offer(seller, data, picture, hours_ago=hours_ago)


def _product(
    seller, species, ja, en, price, quantity, *, keeps_days, picture, desc=None, **extra
) -> Offer:
    data = {
        "kind": "product",
        "species": species,
        "title": {"ja": ja, "en": en},
        "unit": "piece",
        "price_jpy": price,
        "quantity": quantity,
        "method": "加工品",
        **extra,
    }
    if desc:
        data["description"] = {"ja": desc[0], "en": desc[1]}
    return Offer(seller, data, picture, keeps_days=keeps_days)


RAW = (
    "生食用。要冷蔵（10℃以下）、到着日にお召し上がりください。",
    "For raw eating. Keep at 10 °C or below; eat on the day it arrives.",
)
BOILED = ("浜茹で。要冷蔵（10℃以下）。", "Boiled on the beach. Keep at 10 °C or below.")

CRAB = Picture("crab", "Hairy crab", "Erimacrus isenbeckii")
SNOW_CRAB = Picture("crab", "Snow crab", "Chionoecetes opilio", colour=(214, 110, 70))
SALMON = Picture("salmon", "Chum salmon", "Oncorhynchus keta")
PINK_SALMON = Picture("salmon", "Pink salmon", "Oncorhynchus gorbuscha", colour=(170, 150, 150))
WHELK = Picture("clam", "Whelk (tsubu)", "Neptunea spp.", colour=(150, 120, 96))
URCHIN_N = Picture("urchin", "Northern sea urchin", "Mesocentrotus nudus")
URCHIN_B = Picture(
    "urchin", "Short-spined sea urchin", "Strongylocentrotus intermedius", colour=(52, 82, 58)
)
SURF_CLAM = Picture("clam", "Sakhalin surf clam", "Pseudocardium sachalinense")
SOLE = Picture("fish", "Brown sole", "Pseudopleuronectes herzensteini", colour=(120, 100, 70))
GREENLING = Picture("fish", "Fat greenling", "Hexagrammos otakii", colour=(150, 110, 60))
OCTOPUS = Picture("octopus", "Giant Pacific octopus", "Enteroctopus dofleini")
SQUID = Picture("squid", "Japanese flying squid", "Todarodes pacificus")
HOKKE = Picture("fish", "Atka mackerel (hokke)", "Pleurogrammus azonus", colour=(112, 104, 70))
COD = Picture("fish", "Pacific cod", "Gadus macrocephalus", colour=(140, 130, 110))
BOTAN = Picture("shrimp", "Botan shrimp", "Pandalus nipponensis")
SWEET_SHRIMP = Picture("shrimp", "Sweet shrimp", "Pandalus eous", colour=(246, 140, 120))
HERRING = Picture("fish", "Pacific herring", "Clupea pallasii", colour=(96, 118, 140))
SCALLOP = Picture("scallop", "Yesso scallop", "Mizuhopecten yessoensis")
ADDUCTOR = Picture("scallop", "Scallop adductors", "for sashimi", colour=(246, 226, 204))
SCULPIN = Picture(
    "fish", "Sculpin (kajika)", "Myoxocephalus polyacanthocephalus", colour=(96, 84, 64)
)
SEA_CUCUMBER = Picture("sea_cucumber", "Sea cucumber", "Apostichopus japonicus")

OFFERS: tuple[Offer, ...] = (
    # Esashi: hairy crab pots and the autumn set net.
    _catch(
        "sato",
        "毛ガニ",
        "浜茹で毛ガニ 1杯（約500g）",
        "Beach-boiled hairy crab, one (about 500 g)",
        "piece",
        6800,
        "12",
        hours_ago=3,
        picture=CRAB,
        desc=BOILED,
        method="かご漁",
        price_tiers=[{"min_quantity": "5", "price_jpy": 6300}],
    ),
    _catch(
        "sato",
        "毛ガニ",
        "浜茹で毛ガニ 大 1杯（約700g）",
        "Beach-boiled hairy crab, large (about 700 g)",
        "piece",
        9800,
        "6",
        hours_ago=3,
        picture=CRAB,
        desc=BOILED,
        method="かご漁",
    ),
    _catch(
        "sato",
        "秋鮭",
        "秋鮭 一本（オス・約3kg）",
        "Autumn salmon, whole male (about 3 kg)",
        "kg",
        1600,
        "80",
        hours_ago=5,
        picture=SALMON,
        method="定置網",
        min_order="2",
        desc=(
            "定置網で朝獲れ。船上で血抜きしています。",
            "From this morning's set net, bled on board.",
        ),
        price_tiers=[
            {"min_quantity": "10", "price_jpy": 1400},
            {"min_quantity": "30", "price_jpy": 1250},
        ],
    ),
    _catch(
        "sato",
        "秋鮭",
        "秋鮭 メス 筋子入り 一本",
        "Autumn salmon, whole female with roe",
        "piece",
        4800,
        "20",
        hours_ago=5,
        picture=SALMON,
        method="定置網",
    ),
    _catch(
        "sato",
        "カラフトマス",
        "カラフトマス",
        "Pink salmon",
        "kg",
        900,
        "40",
        hours_ago=6,
        picture=PINK_SALMON,
        method="定置網",
        min_order="2",
    ),
    _catch(
        "sato",
        "ツブ貝",
        "真ツブ 活",
        "Live whelk (ma-tsubu)",
        "kg",
        2200,
        "8",
        hours_ago=4,
        picture=WHELK,
        method="かご漁",
        min_order="0.5",
    ),
    # Omu: diving for sea urchin, and the neighbours' nets.
    _catch(
        "takahashi",
        "キタムラサキウニ",
        "キタムラサキウニ 塩水パック 100g",
        "Northern sea urchin in brine, 100 g",
        "piece",
        3800,
        "15",
        hours_ago=2,
        picture=URCHIN_N,
        desc=RAW,
        method="素潜り・潜水",
    ),
    _catch(
        "takahashi",
        "バフンウニ",
        "バフンウニ 塩水パック 100g",
        "Short-spined sea urchin in brine, 100 g",
        "piece",
        5500,
        "8",
        hours_ago=2,
        picture=URCHIN_B,
        desc=RAW,
        method="素潜り・潜水",
    ),
    _catch(
        "takahashi",
        "ホッキ貝",
        "ホッキ貝 活",
        "Live surf clam",
        "kg",
        1800,
        "15",
        hours_ago=4,
        picture=SURF_CLAM,
        method="桁網",
        min_order="1",
    ),
    _catch(
        "takahashi",
        "マガレイ",
        "マガレイ",
        "Brown sole",
        "kg",
        1200,
        "12",
        hours_ago=7,
        picture=SOLE,
        method="刺し網",
    ),
    _catch(
        "takahashi",
        "アイナメ",
        "アイナメ",
        "Fat greenling",
        "kg",
        1600,
        "6",
        hours_ago=7,
        picture=GREENLING,
        method="刺し網",
    ),
    _catch(
        "takahashi",
        "ミズダコ",
        "ミズダコ 生（足）",
        "Giant Pacific octopus, raw legs",
        "kg",
        1400,
        "25",
        hours_ago=8,
        picture=OCTOPUS,
        method="かご漁",
        min_order="1",
    ),
    # Monbetsu: night squid jigging and gill nets.
    _catch(
        "ito",
        "スルメイカ",
        "朝獲れスルメイカ 1杯",
        "Japanese flying squid, caught last night, one",
        "piece",
        350,
        "60",
        hours_ago=6,
        picture=SQUID,
        desc=RAW,
        method="いか釣り",
        min_order="5",
        price_tiers=[{"min_quantity": "30", "price_jpy": 300}],
    ),
    _catch(
        "ito",
        "ホッケ",
        "真ホッケ",
        "Atka mackerel (hokke)",
        "kg",
        900,
        "50",
        hours_ago=5,
        picture=HOKKE,
        method="刺し網",
        price_tiers=[{"min_quantity": "10", "price_jpy": 800}],
    ),
    _catch(
        "ito",
        "マダラ",
        "真ダラ 一本",
        "Pacific cod, whole",
        "kg",
        1000,
        "30",
        hours_ago=5,
        picture=COD,
        method="刺し網",
        min_order="3",
    ),
    _catch(
        "ito",
        "ズワイガニ",
        "ズワイガニ 1杯",
        "Snow crab, one",
        "piece",
        4500,
        "10",
        hours_ago=9,
        picture=SNOW_CRAB,
        method="かご漁",
    ),
    _catch(
        "ito",
        "ボタンエビ",
        "ボタンエビ",
        "Botan shrimp",
        "kg",
        7800,
        "5",
        hours_ago=9,
        picture=BOTAN,
        desc=RAW,
        method="かご漁",
        min_order="0.5",
    ),
    _catch(
        "ito",
        "甘エビ",
        "甘エビ 冷凍",
        "Sweet shrimp, frozen",
        "kg",
        4200,
        "8",
        hours_ago=20,
        picture=SWEET_SHRIMP,
        method="かご漁",
        temperature="frozen",
        min_order="0.5",
    ),
    _catch(
        "ito",
        "ニシン",
        "ニシン",
        "Pacific herring",
        "kg",
        800,
        "20",
        hours_ago=6,
        picture=HERRING,
        method="刺し網",
        min_order="2",
    ),
    # Sarufutsu: scallops from the dredge.
    _catch(
        "tanaka",
        "ホタテ",
        "活ホタテ 殻付き",
        "Live scallops in the shell",
        "kg",
        1100,
        "200",
        hours_ago=4,
        picture=SCALLOP,
        method="桁網",
        min_order="2",
        desc=(
            "4年貝。殻付きのまま活きてお届けします。",
            "Four-year-old scallops, shipped alive in the shell.",
        ),
        price_tiers=[
            {"min_quantity": "10", "price_jpy": 950},
            {"min_quantity": "50", "price_jpy": 850},
        ],
    ),
    _catch(
        "tanaka",
        "ホタテ",
        "ホタテ貝柱 刺身用",
        "Scallop adductors for sashimi",
        "kg",
        6500,
        "10",
        hours_ago=4,
        picture=ADDUCTOR,
        desc=RAW,
        method="桁網",
        min_order="0.5",
    ),
    _catch(
        "tanaka",
        "カジカ",
        "カジカ（鍋用）",
        "Sculpin for hot pot",
        "kg",
        700,
        "10",
        hours_ago=5,
        picture=SCULPIN,
        method="桁網",
        min_order="1",
    ),
    _catch(
        "tanaka",
        "ナマコ",
        "ナマコ",
        "Sea cucumber",
        "kg",
        5500,
        "6",
        hours_ago=5,
        picture=SEA_CUCUMBER,
        method="桁網",
        min_order="0.5",
    ),
    _product(
        "tanaka",
        "ホタテ",
        "冷凍ホタテ貝柱 1kg",
        "Frozen scallop adductors, 1 kg",
        7200,
        "25",
        keeps_days=180,
        temperature="frozen",
        picture=Picture("scallop", "Frozen scallop adductors", "1 kg · Sarufutsu", packaged=True),
    ),
    # Esashi: the dried-goods workshop.
    _product(
        "himono",
        "するめ",
        "天日干し するめ 2枚",
        "Sun-dried squid (surume), 2 pieces",
        1620,
        "40",
        keeps_days=120,
        picture=Picture(
            "squid",
            "Surume (dried squid)",
            "Todarodes pacificus, sun-dried",
            packaged=True,
            colour=(204, 160, 110),
        ),
        desc=("炙ってマヨネーズと七味で。", "Toast it lightly; eat with mayonnaise and chilli."),
    ),
    _product(
        "himono",
        "干し貝柱",
        "干し貝柱 100g",
        "Dried scallop adductors, 100 g",
        2980,
        "30",
        keeps_days=180,
        picture=Picture(
            "scallop",
            "Dried scallop",
            "Mizuhopecten yessoensis, dried",
            packaged=True,
            colour=(214, 170, 110),
        ),
        price_tiers=[{"min_quantity": "5", "price_jpy": 2780}],
    ),
    _product(
        "himono",
        "いくら",
        "いくら醤油漬け 250g",
        "Salmon roe in soy sauce (ikura), 250 g",
        4980,
        "30",
        keeps_days=90,
        temperature="frozen",
        picture=Picture("roe", "Ikura (salmon roe)", "Oncorhynchus keta", packaged=True),
        desc=("解凍後は冷蔵で2日以内に。", "Once thawed, keep chilled and eat within 2 days."),
        price_tiers=[{"min_quantity": "5", "price_jpy": 4600}],
    ),
    _product(
        "himono",
        "秋鮭",
        "鮭とば 150g",
        "Salmon jerky (sake toba), 150 g",
        1280,
        "50",
        keeps_days=60,
        picture=Picture(
            "salmon",
            "Sake toba (salmon jerky)",
            "Oncorhynchus keta, wind-dried",
            packaged=True,
            colour=(190, 100, 80),
        ),
    ),
    _product(
        "himono",
        "秋鮭",
        "新巻鮭 一本（約2.5kg）",
        "Aramaki salted salmon, whole (about 2.5 kg)",
        6500,
        "12",
        keeps_days=60,
        temperature="frozen",
        picture=Picture("salmon", "Aramaki salmon", "Salted whole chum salmon", packaged=True),
    ),
    _product(
        "himono",
        "ホッケ",
        "ホッケの開き 2枚",
        "Opened and dried hokke, 2 fish",
        1480,
        "40",
        keeps_days=60,
        temperature="frozen",
        picture=Picture(
            "fish",
            "Hokke himono",
            "Pleurogrammus azonus, dried",
            packaged=True,
            colour=(150, 120, 80),
        ),
    ),
    _product(
        "himono",
        "利尻昆布",
        "利尻昆布 200g",
        "Rishiri kombu, 200 g",
        1950,
        "60",
        keeps_days=365,
        picture=Picture(
            "seaweed", "Rishiri kombu", "Saccharina japonica var. ochotensis", packaged=True
        ),
    ),
    _product(
        "himono",
        "数の子",
        "塩数の子 300g",
        "Salted herring roe (kazunoko), 300 g",
        3800,
        "20",
        keeps_days=120,
        temperature="frozen",
        picture=Picture(
            "roe", "Kazunoko (herring roe)", "Clupea pallasii", packaged=True, colour=(236, 200, 90)
        ),
    ),
)
