"""Curated words: children's words CLDR misses or maps badly, and words that are never subjects."""

from __future__ import annotations

# Keys are written as a child types them (nominative, singular); the index normalises them the
# way it normalises a description. They win over CLDR's own names and keywords, so an entry here
# also settles a word CLDR gives several emoji («мяч» is a keyword of eight balls).
ALIASES: dict[str, str] = {
    # Diminutives and pet names: pymorphy3 keeps «зайчик» as its own lemma.
    **dict.fromkeys(["кот", "котик", "котенок", "киса", "кошечка"], "cat"),
    **dict.fromkeys(["kitty", "kitten", "kitty cat", "pussycat"], "cat"),
    **dict.fromkeys(["собачка", "щенок", "щеночек", "пес", "песик"], "dog"),
    **dict.fromkeys(["puppy", "doggy", "doggie", "pup"], "dog"),
    **dict.fromkeys(["заяц", "зайчик", "зайка", "зайчонок", "крольчонок"], "rabbit"),
    **dict.fromkeys(["bunny", "hare"], "rabbit"),
    **dict.fromkeys(["мишка", "медведь", "медвежонок", "мишутка"], "bear"),
    **dict.fromkeys(["teddy"], "teddy bear"),
    **dict.fromkeys(["лиса", "лисичка", "лисенок"], "fox"),
    **dict.fromkeys(["еж", "ежик", "ежонок"], "hedgehog"),
    **dict.fromkeys(["рыбка", "рыбёшка"], "fish"),
    **dict.fromkeys(["золотая рыбка", "goldfish"], "tropical fish"),
    **dict.fromkeys(["птичка", "пташка", "воробей", "синица", "birdie"], "bird"),
    **dict.fromkeys(["птенец", "цыпа", "chick"], "baby chick"),
    **dict.fromkeys(["курочка", "hen"], "chicken"),
    **dict.fromkeys(["мышка", "мышонок"], "mouse"),
    **dict.fromkeys(["лошадка", "конь", "пони", "жеребенок", "pony"], "horse"),
    **dict.fromkeys(["слоник", "слоненок"], "elephant"),
    **dict.fromkeys(["лев", "львенок", "львица"], "lion"),
    **dict.fromkeys(["тигренок"], "tiger"),
    **dict.fromkeys(["волк", "волчонок"], "wolf"),
    **dict.fromkeys(["сова", "совушка", "совенок"], "owl"),
    **dict.fromkeys(["белка", "белочка", "squirrel"], "chipmunk"),
    **dict.fromkeys(["поросенок", "свинка", "хрюшка", "piggy", "piglet"], "pig"),
    **dict.fromkeys(["коровка", "теленок", "calf"], "cow"),
    **dict.fromkeys(["лягушка", "лягушонок", "жаба"], "frog"),
    **dict.fromkeys(["обезьянка"], "monkey"),
    **dict.fromkeys(["уточка", "утенок", "duckling"], "duck"),
    **dict.fromkeys(["пчела", "пчелка", "bee"], "honeybee"),
    **dict.fromkeys(["паучок"], "spider"),
    **dict.fromkeys(["черепашка"], "turtle"),
    **dict.fromkeys(["улиточка"], "snail"),
    **dict.fromkeys(["ladybug", "ladybird"], "lady beetle"),
    **dict.fromkeys(["единорожка", "единорожек"], "unicorn"),
    # One dinosaur for both words, so «динозавр» and "dinosaur" always draw the same.
    **dict.fromkeys(["динозавр", "динозаврик", "dinosaur", "dino", "тираннозавр"], "T-Rex"),
    **dict.fromkeys(["дракончик"], "dragon"),
    # Fairy tales.
    **dict.fromkeys(["русалка", "русалочка"], "mermaid"),
    **dict.fromkeys(["ведьма", "колдунья", "witch"], "woman mage"),
    **dict.fromkeys(["волшебник", "колдун", "wizard", "magician"], "mage"),
    **dict.fromkeys(["фея", "феечка"], "fairy"),
    **dict.fromkeys(["король", "царь", "king"], "person with crown"),
    **dict.fromkeys(["королева", "царевна", "queen"], "princess"),
    # No knight in Unicode; his shield is what can be drawn.
    **dict.fromkeys(["рыцарь", "knight"], "shield"),
    **dict.fromkeys(["дед мороз", "санта", "santa"], "Santa Claus"),
    **dict.fromkeys(["ангел", "ангелочек", "angel"], "baby angel"),
    **dict.fromkeys(["красная шапочка", "little red riding hood"], "girl"),
    **dict.fromkeys(["золушка", "белоснежка", "cinderella", "snow white"], "princess"),
    **dict.fromkeys(["винни-пух", "винни пух", "winnie the pooh"], "teddy bear"),
    **dict.fromkeys(["пятачок", "piglet"], "pig"),
    **dict.fromkeys(["человек-паук", "spider-man", "spiderman", "batman", "бэтмен"], "superhero"),
    **dict.fromkeys(["жар-птица", "firebird"], "phoenix"),
    **dict.fromkeys(["привидение", "призрак"], "ghost"),
    **dict.fromkeys(["робот"], "robot"),
    # Vehicles.
    **dict.fromkeys(["машина", "машинка", "автомобиль", "car"], "automobile"),
    **dict.fromkeys(["fire truck", "firetruck"], "fire engine"),
    **dict.fromkeys(["кораблик"], "ship"),
    **dict.fromkeys(["лодка", "лодочка", "boat"], "sailboat"),
    **dict.fromkeys(["самолетик", "plane", "aeroplane"], "airplane"),
    **dict.fromkeys(["паровозик", "train engine"], "locomotive"),
    **dict.fromkeys(["ракета", "spaceship"], "rocket"),
    **dict.fromkeys(["скейт", "skate board"], "skateboard"),
    **dict.fromkeys(["bike"], "bicycle"),
    # Nature and places.
    **dict.fromkeys(["море", "океан", "река", "sea", "ocean", "river", "lake"], "water wave"),
    **dict.fromkeys(["лес", "forest", "woods"], "evergreen tree"),
    **dict.fromkeys(["tree", "деревце"], "deciduous tree"),
    **dict.fromkeys(["цветок", "цветочек", "flower"], "blossom"),
    **dict.fromkeys(["солнышко"], "sun"),
    # CLDR's English "snowman" is ☃️ in falling snow, its Russian «снеговик» ⛄: one for both.
    **dict.fromkeys(["snowman", "снеговичок"], "snowman without snow"),
    **dict.fromkeys(["луна", "месяц", "moon"], "crescent moon"),
    **dict.fromkeys(["звезда", "звездочка"], "star"),
    **dict.fromkeys(["облачко", "туча", "тучка"], "cloud"),
    **dict.fromkeys(["космос", "планета", "space", "outer space", "planet"], "ringed planet"),
    **dict.fromkeys(["домик", "home"], "house"),
    **dict.fromkeys(["грибочек"], "mushroom"),
    # Things and food.
    **dict.fromkeys(["мяч", "мячик", "ball", "football"], "soccer ball"),
    **dict.fromkeys(["шарик", "воздушный шар"], "balloon"),
    **dict.fromkeys(["шляпа", "hat"], "top hat"),
    **dict.fromkeys(["зонт", "зонтик"], "umbrella"),
    **dict.fromkeys(["торт", "тортик", "cake", "день рождения", "birthday"], "birthday cake"),
    **dict.fromkeys(["яблоко", "яблочко", "apple"], "red apple"),
    **dict.fromkeys(["морковка", "морковь"], "carrot"),
    **dict.fromkeys(["клубничка"], "strawberry"),
    **dict.fromkeys(["конфетка"], "candy"),
    **dict.fromkeys(["подарок", "gift", "present"], "wrapped gift"),
    **dict.fromkeys(["новый год", "рождество", "christmas"], "Christmas tree"),
    **dict.fromkeys(["тыква", "pumpkin", "halloween"], "jack-o-lantern"),
    **dict.fromkeys(["сердце", "сердечко", "heart"], "red heart"),
    **dict.fromkeys(["игрушка", "toy"], "teddy bear"),
    **dict.fromkeys(["пирожок"], "pie"),
    **dict.fromkeys(["орех", "nut"], "chestnut"),
    # CLDR names these in the plural only ("cherries"), so the singular misses them.
    **{"cherry": "cherries", "grape": "grapes", "blueberry": "blueberries"},
    **{"pancake": "pancakes", "sock": "socks", "glove": "gloves", "ski": "skis"},
    # Scenery: CLDR keywords put these on the wrong thing («трава» on field hockey, "sky" on a
    # light blue heart, «дорога» on a suspension railway).
    **dict.fromkeys(["вода", "water"], "water wave"),
    **dict.fromkeys(["трава", "травка", "grass", "ветка", "branch"], "herb"),
    **dict.fromkeys(["небо", "sky"], "cloud"),
    **dict.fromkeys(["дорога", "дорожка", "road"], "motorway"),
    **dict.fromkeys(["ветер", "wind"], "wind face"),
    **dict.fromkeys(["молния", "lightning"], "high voltage"),
    **dict.fromkeys(["лист", "листик", "листок"], "maple leaf"),
    **dict.fromkeys(["камень", "stone"], "rock"),
    **dict.fromkeys(["праздник"], "party popper"),
    # Family.
    **dict.fromkeys(["мама", "мамочка", "mom", "mommy", "mum", "mother"], "woman"),
    **dict.fromkeys(["папа", "папочка", "dad", "daddy", "father"], "man"),
    **dict.fromkeys(["бабушка", "grandma", "granny", "grandmother"], "old woman"),
    **dict.fromkeys(["дедушка", "grandpa", "grandfather"], "old man"),
    **dict.fromkeys(["малыш", "малышка", "младенец"], "baby"),
    **dict.fromkeys(["брат", "братик", "brother"], "boy"),
    **dict.fromkeys(["сестра", "сестренка", "sister"], "girl"),
    # People and professions.
    **dict.fromkeys(["врач", "доктор", "медсестра", "doctor", "nurse"], "health worker"),
    **dict.fromkeys(["учитель", "учительница"], "teacher"),
    **dict.fromkeys(["астронавт"], "astronaut"),
    **dict.fromkeys(["летчик"], "pilot"),
    **dict.fromkeys(["пожарник", "fireman"], "firefighter"),
    **dict.fromkeys(["полиция", "policeman", "police"], "police officer"),
    **dict.fromkeys(["шеф", "chef"], "cook"),
    **dict.fromkeys(["балерина", "ballerina"], "ballet dancer"),
    **dict.fromkeys(["лыжник", "лыжница"], "skier"),
}

# Words whose only CLDR matches are wrong and that have no emoji of their own: «стол» is a keyword
# of the spoon (столовая ложка), «кубики» of the ice cube, "blocks" of a pushing hand.
UNDRAWABLE: frozenset[str] = frozenset({"стол", "table", "день", "кубик", "blocks"})

# No English part-of-speech tagger here: these common words of children's requests are never
# subjects by themselves, though CLDR lists many as keywords ("happy", "red", "sleeping").
ENGLISH_NOT_SUBJECTS = """
    i me my you your he him his she her it its we our they them their this that these those
    is am are was were be been being do does did can could will would should may might must
    of for to from at as or but so if than then too very really just also not no yes please
    out up down off away here there where what who which how when together day
    draw paint colour color page picture image sketch make want let show some lots lot few
    symbol sign icon logo emoji
    one two three four five six seven eight nine ten many several all each
    big small little tiny huge giant large cute funny happy sad angry scary pretty beautiful
    nice good bad old new young kind friendly brave magic magical fluffy fat long short
    red orange yellow green blue purple pink brown black white gray grey golden silver
    run runs jump jumps play plays fly flies swim swims sit sits eat eats sleep sleeps sing
    sings dance dances walk walks look looks go goes stand stands love loves like likes
    """
NOT_SUBJECTS = frozenset(ENGLISH_NOT_SUBJECTS.split())
