"""Deterministic labelled corpus for choosing and checking the near-duplicate parameters.

Every document carries a ``story`` (two documents are near-duplicates exactly when their stories are equal)
and an optional ``family``: different stories in one family are the hard negatives that must never be
merged (templated briefs, stories sharing a long quote or an outlet's footer, a developing story and its
mostly-new update). Everything is drawn from one seeded ``random.Random``, so ``CorpusConfig()`` always
yields the same corpus; the figures in ``bench/DEDUP.md`` come from that default configuration.

Base texts are of two kinds: real language, the ``<p>`` text of the extraction development pages (read in
place, never copied into the project; skipped if the folder is absent), and stories written by a small
compositional generator here. Near-duplicate copies get the edits wire copies really get: a new headline,
a trimmed tail, a dateline or tagline, a correction or editor's note, other quote marks and dashes,
reflowed whitespace, light copy-editing, and combinations of these.

Decision on developing stories: an update whose text is more than half new is a different item (a new
story to keep); one that adds at most a third is the same item. Updates between those bounds are not
generated, because no label for them would be defensible. Since session 6, one exception: an update more
than half new that still carries at least 80% of its story is that story's fuller version, the same story
(``fuller_update`` says why; ``CorpusConfig(fuller_updates_join=False)`` gives the earlier truth).

Run ``python -m bench.dedup_corpus`` for a summary of what the default configuration produces.
"""

from __future__ import annotations

import gzip
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

EXTRACTION_DEV = Path(__file__).resolve().parents[2] / "shared" / "extraction-dev" / "html"  # read in place


@dataclass(frozen=True)
class CorpusConfig:
    """The checked-in generator configuration: change it and the figures in DEDUP.md must be regenerated."""

    seed: int = 20261125
    real_dir: Path = EXTRACTION_DEV
    real_bases: int = 420  # real pages used as base stories (more are held back as material for updates)
    generated_bases: int = 320
    min_words: int = 150
    max_words: int = 1200
    variants: tuple[int, ...] = (0, 1, 1, 2, 2, 3)  # copies per base story, drawn uniformly from this tuple
    minor_updates: int = 70  # same story: at most a third of the update is new
    major_updates: int = 70  # different story: more than half of the update is new
    templated_per_family: int = 60  # earnings, sports results, weather briefs
    shared_quote_pairs: int = 40
    footer_outlets: int = 4
    footer_stories_per_outlet: int = 15
    # Families of issue 10, each with its truth fixed by how it is built:
    half_trims: int = 80  # copies that keep only the first 40-55% of the story's sentences: same story
    embedded_locals: int = 50  # a local story around a full wire story, 40-60% local words: own story
    templated_extra_per_family: int = 40  # markets, rates, elections briefs (more fixed text per brief)
    short_quote_pairs: int = 40  # different short stories sharing one 20-40-word quote
    lead_reuses: int = 40  # a story and the next day's story that reuses its lead: different stories
    fuller_updates_join: bool = True
    """Truth of an update more than half new that keeps >= 80% of its story: the same story (True, the
    definition since session 6, see ``fuller_update``), or a story of its own (False, the earlier one)."""
    variant: int = 0
    """Wording of the desk: 0, the checked-in one; 1, other datelines, taglines, notes, corrections and
    copy-edits, and other brief templates (fuel prices, transit, opinion polls) in place of the markets,
    rates and elections briefs; 2, a third desk added after the rules of its round were set: longer
    notes, other credits, and lottery, road-accident and transfer briefs with more fixed text; 3, a fourth
    desk written in session 6 before that session's failures were read, used only to check (other wires'
    datelines and bylines, long kickers, court-sentence, flight-disruption and job-cut briefs). A rule
    measured on variant 0 is checked on variants 1 and 2 (and other seeds) to show it was not fitted to
    the generator's exact strings."""


@dataclass(frozen=True)
class Doc:
    id: str
    text: str
    story: str
    kind: str  # how it was made: base-real, base-generated, variant, update-..., templated-..., shared-...
    family: str | None = None
    edits: tuple[str, ...] = field(default_factory=tuple)
    embeds: str | None = None  # the story whose full text this document contains, beside its own news


# --------------------------------------------------------------------------------------------- real text


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        return str(best) if best is not None else raw.decode("latin-1")


def _split_long(paragraph: str, limit: int = 150) -> list[str]:
    """Pages that put a whole article in one <p> become paragraphs of whole sentences of ~limit words."""
    if len(paragraph.split()) <= limit:
        return [paragraph]
    chunks: list[str] = []
    current: list[str] = []
    for sentence in _sentences(paragraph):
        current.append(sentence)
        if sum(len(s.split()) for s in current) >= limit:
            chunks.append(" ".join(current))
            current = []
    if current:
        chunks.append(" ".join(current))
    return chunks


def real_texts(folder: Path, min_words: int, max_words: int) -> list[list[str]]:
    """Paragraph lists of the pages' ``<p>`` text; paragraphs seen on two pages (boilerplate) are dropped."""
    if not folder.is_dir():
        return []
    import lxml.html

    pages: list[list[str]] = []
    seen: Counter[str] = Counter()
    for path in sorted(folder.glob("*.gz")):
        raw = gzip.decompress(path.read_bytes())
        try:
            tree = lxml.html.fromstring(_decode(raw))
        except ValueError:  # a str with an XML encoding declaration
            tree = lxml.html.fromstring(raw)
        except Exception:
            continue
        paragraphs = [" ".join(p.text_content().split()) for p in tree.iter("p")]
        paragraphs = [chunk for p in paragraphs if len(p.split()) >= 12 for chunk in _split_long(p)]
        pages.append(paragraphs)
        seen.update(set(paragraphs))
    out = []
    for paragraphs in pages:
        unique = [p for p in paragraphs if seen[p] == 1]
        kept, words = [], 0
        for paragraph in unique:
            if words >= max_words:
                break
            kept.append(paragraph)
            words += len(paragraph.split())
        if words >= min_words:
            out.append(kept)
    return out


# ------------------------------------------------------------------------------------ generated stories

FIRST = [
    "Maria",
    "James",
    "Aisha",
    "Daniel",
    "Elena",
    "Tomasz",
    "Priya",
    "Kwame",
    "Sofia",
    "Lukas",
    "Hannah",
    "Omar",
    "Yuki",
    "Carlos",
    "Ingrid",
    "Samuel",
    "Fatima",
    "Pierre",
    "Grace",
    "Mateo",
    "Olga",
    "Ahmed",
    "Laura",
    "Viktor",
    "Chloe",
    "Ibrahim",
    "Nadia",
    "Henrik",
    "Rosa",
    "Felix",
    "Amara",
    "Jonas",
    "Leila",
    "Marco",
    "Julia",
    "Arjun",
    "Eva",
    "Tariq",
    "Clara",
    "Noah",
]
LAST = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Patel",
    "Kowalski",
    "Fernandes",
    "Nakamura",
    "Schmidt",
    "Haddad",
    "Oyelaran",
    "Brennan",
    "Costa",
    "Novak",
    "Ramirez",
    "Bauer",
    "Osei",
    "Dubois",
    "Karimi",
    "Larsen",
    "Romano",
    "Petrov",
    "Mensah",
    "Horvath",
    "Silva",
    "Tanaka",
    "Weber",
    "Byrne",
    "Nilsson",
    "Adeyemi",
    "Castillo",
    "Jensen",
    "Ivanova",
    "Mwangi",
    "Rossi",
    "Keller",
    "Vargas",
    "Hughes",
    "Sato",
    "Abebe",
    "Fischer",
]
CITIES = [
    "Lagos",
    "Rotterdam",
    "Valparaiso",
    "Kraków",
    "Leeds",
    "Porto",
    "Nagoya",
    "Winnipeg",
    "Accra",
    "Tampere",
    "Brno",
    "Adelaide",
    "Cebu",
    "Bilbao",
    "Tucson",
    "Gdańsk",
    "Mombasa",
    "Lyon",
    "Halifax",
    "Daegu",
    "Graz",
    "Cusco",
    "Aarhus",
    "Izmir",
    "Durban",
    "Bergen",
    "Surabaya",
    "Tallinn",
    "Medellín",
    "Chennai",
    "Dresden",
    "Perth",
    "Quito",
    "Malmö",
    "Oaxaca",
    "Kumasi",
    "Antwerp",
    "Sapporo",
    "Cardiff",
]
ROLES = [
    "finance minister",
    "health minister",
    "mayor",
    "police chief",
    "union leader",
    "central bank governor",
    "chief executive",
    "spokeswoman",
    "spokesman",
    "opposition leader",
    "prosecutor",
    "fire chief",
    "transport secretary",
    "hospital director",
    "climate envoy",
    "school superintendent",
    "defence minister",
    "chief economist",
    "party chair",
    "judge",
]
ORG_ADJ = [
    "National",
    "Regional",
    "Federal",
    "Northern",
    "Coastal",
    "Metropolitan",
    "United",
    "Independent",
    "Central",
    "Western",
]
ORG_NOUN = [
    "Transport Authority",
    "Health Service",
    "Energy Company",
    "Farmers Union",
    "Port Authority",
    "Water Board",
    "Teachers Federation",
    "Rail Corporation",
    "Housing Agency",
    "Election Commission",
    "Mining Group",
    "Chamber of Commerce",
    "Fisheries Council",
    "Audit Office",
    "Broadcasting Corporation",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

TOPICS: dict[str, dict[str, list[str]]] = {
    "politics": {
        "lead": [
            "{role_cap} {person} on {day} announced plans to {policy}, a move that {reaction}.",
            "Lawmakers in {city} voted {n1} to {n2} on {day} to {policy}, after {duration} of debate.",
            "The government of {city} said on {day} it would {policy} by {month}, {reaction_clause}.",
        ],
        "body": [
            "The proposal would {policy} and cost about {money}, according to figures released by the {org}.",
            "Critics said the plan {criticism}, while supporters argued it {benefit}.",
            "{person}, the {role}, told reporters that the measure {benefit} but conceded that {concession}.",
            "A vote in the assembly is expected {when}, and {count} members have yet to declare a position.",
            "Polls published {when_past} suggested {pct} percent of voters in {city} backed the idea.",
            "The {org} warned in a statement that {criticism_clause}.",
            "Opposition parties accused the government of {accusation} and demanded {demand}.",
            "{person} said {pronoun} would meet {person2} in {city2} {when} to discuss {subject}.",
            "The dispute has dragged on since {month} and has already cost the coalition {count} seats.",
            "Officials said details of {subject} would be published {when}.",
        ],
    },
    "economy": {
        "lead": [
            "The {org} reported on {day} that {indicator} {moved} {pct} percent in {month}, "
            "{reaction_clause}.",
            "Shares of companies in {city} {moved} sharply on {day} after {cause}.",
            "{role_cap} {person} said on {day} that {indicator} was likely to {trend} through {month}.",
        ],
        "body": [
            "Economists surveyed beforehand had expected {indicator} to {trend}, citing {cause}.",
            "{person}, the {role}, said the figures showed that {benefit_econ}.",
            "Exporters in {city} have struggled since {month} as {cause}.",
            "The {org} estimated that {count} jobs depended on {subject}.",
            "Analysts at banks in {city2} said the numbers {criticism_econ}.",
            "Retail sales {moved} {pct} percent over the same period, the statistics office said.",
            "Prices for {goods} rose by {pct} percent, the biggest increase since {year}.",
            "{person} said households should expect {goods} to remain expensive until {month}.",
            "The currency {moved} {pct} percent against the dollar in afternoon trading.",
            "Business groups urged the government to {policy} before {month}.",
        ],
    },
    "disaster": {
        "lead": [
            "{cause_disaster} struck {city} on {day}, killing at least {count} people and forcing "
            "{count2} from "
            "their homes.",
            "Rescue teams in {city} were searching on {day} for {count} people missing after "
            "{cause_disaster}.",
            "Emergency services in {city} said on {day} that {cause_disaster} had cut power to {count2} "
            "homes.",
        ],
        "body": [
            "{person}, the {role}, said crews had worked through the night and that {concession}.",
            "Television images showed {scene}.",
            "The {org} said {count} shelters had been opened and urged residents to {advice}.",
            "Roads leading out of {city} were closed and {count} flights were cancelled.",
            "Forecasters warned that {weather_more} could follow {when}.",
            '"{quote_disaster}" said {person2}, who lives near the {place}.',
            "Officials estimated damage at {money}, a figure they said was likely to rise.",
            "The last comparable event in the region, in {year}, killed {count} people.",
            "Aid groups in {city2} said they were sending {aid}.",
            "Investigators will examine whether {subject_disaster}.",
        ],
    },
    "courts": {
        "lead": [
            "A court in {city} on {day} {verdict} {person}, a former {role}, of {charge}.",
            "Prosecutors in {city} charged {count} people on {day} with {charge} linked to {subject}.",
            "{role_cap} {person} appeared in court in {city} on {day} to answer charges of {charge}.",
        ],
        "body": [
            "The trial heard from {count} witnesses over {duration}.",
            "Lawyers for {person2} said they would appeal and called the ruling {judgement}.",
            "The judge said the evidence showed that {finding}.",
            "Prosecutors had asked for a sentence of {count} years.",
            "The case began in {month} {year} when {cause_case}.",
            '"{quote_court}" the judge told the court.',
            "A sentencing hearing was set for {when}.",
            "The {org} declined to comment on the verdict.",
            "{person2} has denied wrongdoing throughout the case.",
            "Legal experts in {city2} said the ruling could affect {subject}.",
        ],
    },
}

FILL: dict[str, list[str]] = {
    "policy": [
        "raise the minimum wage",
        "cut fuel taxes",
        "build {count} new schools",
        "expand the tram network",
        "lower the voting age",
        "ban short-haul flights",
        "privatise the water board",
        "freeze public sector pay",
        "tighten rules on rental housing",
        "subsidise electric buses",
        "reform the pension system",
        "close {count} coal plants",
        "hire {count} more nurses",
    ],
    "reaction": [
        "drew immediate criticism from business groups",
        "was welcomed by unions",
        "surprised members of the governing coalition",
        "divided the opposition",
    ],
    "reaction_clause": [
        "drawing criticism from opposition parties",
        "a step welcomed by investors",
        "despite protests outside the assembly",
        "ending months of uncertainty",
    ],
    "criticism": [
        "would do little to help poorer families",
        "was rushed through without consultation",
        "relied on optimistic revenue estimates",
        "ignored the concerns of rural areas",
    ],
    "criticism_clause": [
        "the costs had been underestimated",
        "smaller towns would be left behind",
        "the timetable was unrealistic",
        "the plan lacked a clear source of funding",
    ],
    "benefit": [
        "would create thousands of jobs",
        "was long overdue",
        "would cut emissions",
        "would ease pressure on hospitals",
        "would make housing more affordable",
    ],
    "concession": [
        "difficult weeks lay ahead",
        "some questions remained unanswered",
        "the figures would be reviewed",
        "not every district would benefit at once",
    ],
    "accusation": [
        "hiding the true cost",
        "ignoring expert advice",
        "favouring its own voters",
        "breaking an election promise",
    ],
    "demand": ["a public inquiry", "an independent audit", "a referendum", "the minister's resignation"],
    "subject": [
        "the budget",
        "the new trade agreement",
        "border controls",
        "the energy transition",
        "the hospital strike",
        "regional funding",
        "the rail contract",
        "fishing quotas",
    ],
    "indicator": [
        "inflation",
        "unemployment",
        "industrial output",
        "consumer confidence",
        "exports",
        "house prices",
        "manufacturing activity",
    ],
    "moved": ["rose", "fell", "climbed", "dropped", "slipped", "jumped"],
    "trend": ["slow", "pick up", "stabilise", "remain weak", "rise further"],
    "cause": [
        "a slump in demand from abroad",
        "higher energy costs",
        "a strike at the main port",
        "weaker than expected harvests",
        "rising interest rates",
        "a strong currency",
    ],
    "benefit_econ": [
        "the recovery was on track",
        "the worst was over",
        "businesses were investing again",
        "households were spending more",
    ],
    "criticism_econ": [
        "masked weakness in the services sector",
        "were distorted by seasonal effects",
        "pointed to a slowdown later in the year",
    ],
    "goods": ["food", "electricity", "petrol", "rents", "building materials", "coffee", "fertiliser"],
    "cause_disaster": [
        "A powerful earthquake",
        "Severe flooding",
        "A major landslide",
        "A tropical storm",
        "A wildfire",
        "A gas explosion",
        "A tornado",
    ],
    "scene": [
        "rescuers digging through rubble with their hands",
        "streets turned into rivers of mud",
        "families carrying belongings to higher ground",
        "smoke rising over the hills",
        "cars piled against the walls of houses",
    ],
    "advice": ["stay indoors", "boil drinking water", "avoid the coastal roads", "leave low-lying areas"],
    "weather_more": ["more heavy rain", "strong aftershocks", "high winds", "further landslides"],
    "quote_disaster": [
        "We lost everything in a few minutes.",
        "Nobody warned us it would be this bad.",
        "The water came up faster than anyone expected.",
        "We are still waiting for help.",
    ],
    "place": ["river", "old market", "harbour", "railway station", "hillside"],
    "aid": ["tents and blankets", "medical teams", "water purification units", "food parcels"],
    "subject_disaster": [
        "building codes had been ignored",
        "warnings were issued too late",
        "the dam had been properly maintained",
        "the evacuation was well organised",
    ],
    "verdict": ["convicted", "acquitted", "cleared"],
    "charge": ["fraud", "bribery", "tax evasion", "abuse of office", "money laundering", "manslaughter"],
    "judgement": ["a miscarriage of justice", "deeply flawed", "politically motivated"],
    "finding": [
        "public money had been diverted",
        "the contracts had been rigged",
        "safety rules were broken",
        "the accounts had been falsified",
    ],
    "cause_case": [
        "auditors found gaps in the accounts",
        "a whistleblower contacted police",
        "journalists published leaked documents",
        "a bridge collapsed",
    ],
    "quote_court": [
        "No one is above the law.",
        "The court cannot ignore the scale of the harm done.",
        "The defendant showed no remorse.",
        "The evidence was overwhelming.",
    ],
    "when": ["next week", "later this month", "on {day}", "before the end of {month}", "in the coming days"],
    "when_past": ["last week", "on {day}", "earlier this month", "in {month}"],
    "duration": ["three weeks", "two days", "several months", "nearly a year"],
    "pronoun": ["she", "he"],
}


class StoryWriter:
    """Compositional news prose: topic sentences with slots filled from pools, so that two stories on one
    topic share phrasing the way one desk's stories do, without sharing whole passages."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def person(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def org(self) -> str:
        return f"{self.rng.choice(ORG_ADJ)} {self.rng.choice(ORG_NOUN)}"

    def fill(self, template: str, people: tuple[str, str], city: str) -> str:
        rng = self.rng

        def slot(match: re.Match[str]) -> str:
            name = match.group(1)
            fixed: dict[str, Callable[[], str]] = {
                "person": lambda: people[0],
                "person2": lambda: people[1],
                "city": lambda: city,
                "city2": lambda: rng.choice(CITIES),
                "role": lambda: rng.choice(ROLES),
                "role_cap": lambda: rng.choice(ROLES).capitalize(),
                "org": self.org,
                "day": lambda: rng.choice(DAYS),
                "month": lambda: rng.choice(MONTHS),
                "year": lambda: str(rng.randint(1971, 2024)),
                "n1": lambda: str(rng.randint(40, 120)),
                "n2": lambda: str(rng.randint(10, 80)),
                "count": lambda: str(rng.randint(3, 480)),
                "count2": lambda: f"{rng.randint(2, 90) * 1000:,}",
                "pct": lambda: f"{rng.randint(1, 99) / 10}",
                "money": lambda: f"{rng.randint(2, 900)} million {rng.choice(['dollars', 'euros'])}",
            }
            if name in fixed:
                return fixed[name]()
            return self.fill(rng.choice(FILL[name]), people, city)

        return re.sub(r"\{(\w+)\}", slot, template)

    def story(self, words: int) -> list[str]:
        rng = self.rng
        topic = TOPICS[rng.choice(sorted(TOPICS))]
        people = (self.person(), self.person())
        city = rng.choice(CITIES)
        paragraphs = [self.fill(rng.choice(topic["lead"]), people, city)]
        count = len(paragraphs[0].split())
        while count < words:
            sentences = [self.fill(rng.choice(topic["body"]), people, city) for _ in range(rng.randint(1, 3))]
            paragraph = " ".join(sentences)
            paragraphs.append(paragraph)
            count += len(paragraph.split())
        return paragraphs

    def headline(self) -> str:
        rng = self.rng
        return self.fill(
            rng.choice(
                [
                    "{city} {moved} as {indicator} surprises",
                    "{role_cap} vows to {policy}",
                    "{cause_disaster} hits {city}, {count} dead",
                    "Court {verdict} former {role} in {charge} case",
                    "{city} lawmakers back plan to {policy}",
                    "Update {count}: {subject} talks resume in {city}",
                ]
            ),
            (self.person(), self.person()),
            rng.choice(CITIES),
        )


# ------------------------------------------------------------------------------------- templated briefs


def earnings(rng: random.Random, writer: StoryWriter) -> str:
    suffix = rng.choice(["Holdings", "Industries", "Systems", "Group", "Foods", "Labs"])
    company = f"{rng.choice(LAST)} {suffix}"
    ticker = "".join(rng.choice("ABCDEFGHIJKLMNOPRSTUVWXYZ") for _ in range(rng.randint(3, 4)))
    quarter = rng.choice(["first-quarter", "second-quarter", "third-quarter", "fourth-quarter"])
    beat = rng.choice(["beat", "did not meet"])
    sentences = [
        f"{rng.choice(CITIES).upper()} (AP) \u2014 {company} ({ticker}) on {rng.choice(DAYS)} reported "
        f"{quarter} "
        f"{rng.choice(['net income', 'profit', 'earnings'])} of "
        f"${rng.randint(2, 900)}.{rng.randint(0, 9)} million.",
        f"On a per-share basis, the {rng.choice(CITIES)}-based company said it had "
        f"{rng.choice(['profit', 'net income'])} of {rng.randint(3, 250)} cents.",
        f"Earnings, adjusted for one-time gains and costs, were {rng.randint(3, 250)} cents per share.",
        f"The results {beat} Wall Street expectations. The average estimate of {rng.randint(2, 14)} analysts "
        f"surveyed by Zacks Investment Research was for earnings of {rng.randint(3, 250)} cents per share.",
        f"The "
        f"{rng.choice(['software', 'packaged food', 'chemical', 'medical device', 'retail', 'trucking'])} "
        f"company posted revenue of ${rng.randint(20, 3000)}.{rng.randint(0, 9)} million in the period, "
        f"which "
        f"also {rng.choice(['beat', 'fell short of'])} Street forecasts. Analysts expected "
        f"${rng.randint(20, 3000)}.{rng.randint(0, 9)} million.",
    ]
    if rng.random() < 0.6:
        low = rng.randint(5, 200)
        sentences.append(
            f"For the current quarter ending in {rng.choice(MONTHS)}, {company} expects its "
            f"per-share "
            f"earnings to range from {low} cents to {low + rng.randint(2, 20)} cents."
        )
    sentences.append(
        f"{company} shares have {rng.choice(['increased', 'decreased', 'climbed', 'declined'])} "
        f"{rng.randint(1, 60)}% since the beginning of the year. The stock has "
        f"{rng.choice(['risen', 'fallen'])} {rng.randint(1, 80)}% in the last 12 months."
    )
    return " ".join(sentences)


def sports(rng: random.Random, writer: StoryWriter) -> str:
    home, away = rng.sample(CITIES, 2)
    nick = ["Rovers", "United", "Athletic", "Wanderers", "Rangers", "City"]
    a, b = f"{home} {rng.choice(nick)}", f"{away} {rng.choice(nick)}"
    goals = (rng.randint(1, 5), rng.randint(0, 3))
    scorer, keeper, coach = writer.person(), writer.person(), writer.person()
    return " ".join(
        [
            f"{scorer} scored "
            f"{rng.choice(['twice', 'in the first half', 'a late winner', 'from the penalty spot'])} "
            f"as {a} beat {b} {goals[0]}-{goals[1]} on {rng.choice(DAYS)} to move "
            f"{rng.choice(['top', 'second', 'third'])} "
            f"in the league.",
            f"{scorer} opened the scoring in the {rng.randint(3, 44)}th minute and {a} doubled the lead through "
            f"{writer.person()} after {rng.randint(46, 80)} minutes.",
            f"{b} pulled one back when {writer.person()} headed in from a corner in the {rng.randint(60, 89)}th "
            f"minute, but {keeper} made {rng.randint(2, 8)} saves to keep the visitors out.",
            f'"We showed character today," said {coach}, whose side have won {rng.randint(2, 9)} of their last '
            f"{rng.randint(10, 12)} matches.",
            f"{a} host {rng.choice(CITIES)} {rng.choice(nick)} next {rng.choice(DAYS)}, while {b} travel to "
            f"{rng.choice(CITIES)}. The attendance was {rng.randint(4, 60) * 1000:,}.",
        ]
    )


def weather(rng: random.Random, writer: StoryWriter) -> str:
    city = rng.choice(CITIES)
    cond = ["sunny", "partly cloudy", "mostly cloudy", "rainy", "stormy", "foggy", "windy"]
    high = rng.randint(-5, 35)
    return " ".join(
        [
            f"Weather forecast for {city} and the surrounding area for {rng.choice(DAYS)}, {rng.choice(MONTHS)} "
            f"{rng.randint(1, 28)}.",
            f"{rng.choice(['Morning', 'Today'])}: {rng.choice(cond).capitalize()} with a high near {high} "
            f"degrees. "
            f"{rng.choice(['North', 'South', 'East', 'West'])} winds {rng.randint(3, 15)} to "
            f"{rng.randint(16, 40)} "
            f"km/h. Chance of precipitation {rng.randint(0, 10) * 10} percent.",
            f"Tonight: {rng.choice(cond).capitalize()}, with a low around {high - rng.randint(3, 12)} degrees. "
            f"{rng.choice(['Light', 'Gusty', 'Calm'])} winds becoming "
            f"{rng.choice(['north', 'south', 'east', 'west'])} "
            f"in the evening.",
            f"Tomorrow: {rng.choice(cond).capitalize()}, high {high + rng.randint(-4, 4)} degrees, low "
            f"{high - rng.randint(3, 12)} degrees. UV index {rng.randint(1, 10)}.",
            f"Air quality is expected to be {rng.choice(['good', 'moderate', 'poor'])}. Sunrise at "
            f"{rng.randint(5, 8)}:{rng.randint(10, 59)}, sunset at {rng.randint(16, 21)}:{rng.randint(10, 59)}.",
        ]
    )


def markets(rng: random.Random, writer: StoryWriter) -> str:
    """A closing-markets brief: long fixed phrasing, the news is only in the index, numbers and movers."""
    index = rng.choice(["FTSE 100", "DAX", "CAC 40", "Nikkei 225", "S&P/ASX 200", "IBEX 35", "AEX"])
    mover_up, mover_down = writer.org(), writer.org()
    points = f"{rng.randint(5, 400)}.{rng.randint(10, 99)}"
    return " ".join(
        [
            f"Stocks {rng.choice(['rose', 'fell'])} on {rng.choice(DAYS)} as investors weighed the outlook for "
            f"interest rates and company earnings, with the {index} closing {rng.choice(['up', 'down'])} "
            f"{points} points, or {rng.randint(1, 30) / 10} percent, at {rng.randint(3000, 40000):,}.",
            f"Trading volume was {rng.choice(['light', 'heavy', 'about average'])}, with "
            f"{rng.randint(200, 900)} million shares changing hands, compared with a daily average of "
            f"{rng.randint(200, 900)} million over the past month.",
            f"Shares of {mover_up} led the gains, rising {rng.randint(2, 19)} percent after the company raised "
            f"its profit forecast for the year, while {mover_down} fell {rng.randint(2, 19)} percent.",
            f"The dollar {rng.choice(['rose', 'fell'])} to {rng.randint(100, 160)}.{rng.randint(10, 99)} yen "
            f"and the euro traded at ${rng.randint(100, 125) / 100:.2f}. Brent crude oil "
            f"{rng.choice(['rose', 'fell'])} {rng.randint(1, 99)} cents to ${rng.randint(60, 95)}."
            f"{rng.randint(10, 99)} a barrel.",
            f"Gold {rng.choice(['gained', 'lost'])} {rng.randint(1, 30) / 10} percent to "
            f"${rng.randint(1800, 2600):,} an ounce. The yield on the 10-year government bond stood at "
            f"{rng.randint(100, 500) / 100:.2f} percent.",
        ]
    )


def rates(rng: random.Random, writer: StoryWriter) -> str:
    """A central-bank decision brief: the same sentences for every bank, other names and numbers."""
    bank = f"{rng.choice(['National', 'Reserve', 'Central'])} Bank of {rng.choice(CITIES)}"
    governor = writer.person()
    rate = rng.randint(50, 900) / 100
    held = rng.random() < 0.5
    change = (
        "held its benchmark interest rate at"
        if held
        else rng.choice(["raised", "cut"]) + " its benchmark interest rate to"
    )
    return " ".join(
        [
            f"The {bank} on {rng.choice(DAYS)} {change} {rate:.2f} percent, a decision expected by "
            f"{rng.randint(10, 30)} of the {rng.randint(30, 40)} economists surveyed beforehand.",
            f"Inflation slowed to {rng.randint(10, 90) / 10} percent in {rng.choice(MONTHS)} from "
            f"{rng.randint(10, 90) / 10} percent a month earlier, still above the bank's target of "
            f"{rng.randint(1, 3)} percent.",
            f"Governor {governor} told a news conference that the bank would keep policy tight until it was "
            f"confident that price growth was returning to target, and that it stood ready to act if needed.",
            f"The bank's policy committee voted {rng.randint(5, 9)} to {rng.randint(0, 4)} in favour of the "
            f"decision. Its next meeting is scheduled for {rng.choice(MONTHS)} {rng.randint(1, 28)}.",
            f"The bank now expects the economy to grow {rng.randint(0, 40) / 10} percent this year and "
            f"{rng.randint(0, 40) / 10} percent next year, compared with {rng.randint(0, 40) / 10} percent "
            f"in its previous forecast.",
        ]
    )


def elections(rng: random.Random, writer: StoryWriter) -> str:
    """A results brief: one template per race, the winners, places and shares are the story."""
    winner, runner = writer.person(), writer.person()
    district = f"{rng.choice(CITIES)} {rng.choice(['North', 'South', 'East', 'West', 'Central'])}"
    share = rng.randint(40, 70)
    return " ".join(
        [
            f"{winner} won the seat of {district} in {rng.choice(DAYS)}'s election with {share} percent of the "
            f"vote, according to preliminary results published by the election commission.",
            f"{runner}, who had held the seat since {rng.randint(1990, 2022)}, finished second with "
            f"{rng.randint(15, 100 - share)} percent. Turnout was {rng.randint(35, 85)} percent, "
            f"{rng.choice(['up', 'down'])} from {rng.randint(35, 85)} percent at the last election.",
            f"{winner} told supporters at a rally in {rng.choice(CITIES)} that the result was a mandate for "
            f"change and thanked the {rng.randint(200, 3000):,} volunteers who had worked on the campaign.",
            f"The commission said {rng.randint(1, 99)} of {rng.randint(100, 400)} polling stations had "
            f"reported and that final results would be certified within {rng.randint(2, 14)} days.",
        ]
    )


# ------------------------------------------------------------------------------------------ wire edits

DATELINES = [
    "{CITY} (AP) \u2014 ",
    "{CITY}, {month} {d} (Reuters) - ",
    "{CITY} (AFP) - ",
    "{City} \u2013 ",
    "{CITY}, {month} {d} (dpa) \u2013 ",
]
TAGLINES = [
    "Reporting by {p}; Editing by {q}",
    "({p} reported from {City}.)",
    "Associated Press writer {p} in {City} contributed to this report.",
    "\u2014 With files from {p}",
]
CORRECTIONS = [
    "Correction: An earlier version of this story misstated the number of {x}. It was {n}, not {m}.",
    "This story has been corrected to show that {p} is the {role}, not the {role2}.",
    "Clarification: A previous version of this report did not make clear that the figures for {x} were "
    "preliminary estimates published by the {org}.",
    "Updated at {h}:{mm} to add comment from {p} and to correct the spelling of the name of the {org}.",
]
NOTES = [
    "Editor's note: This story contains details some readers may find distressing.",
    "Editor's note: This article was updated with additional reporting.",
    "This is a developing story and will be updated.",
    "UPDATED with new information throughout.",
    "Eds: Adds details from the briefing. With photos.",
]
COPYEDITS = {
    "said": "told reporters",
    "about": "around",
    "after": "following",
    "more than": "over",
    "also": "additionally",
    "but": "however",
    "began": "started",
    "people": "residents",
    "sagte": "erklärte",
    "mehr als": "über",
    "nach": "infolge",
    "dit": "a déclaré",
}


# The second desk (``CorpusConfig.variant = 1``): other wire conventions and other notes, so a rule that
# keyed on the first desk's exact strings shows up as a drop on this one.
DATELINES_1 = [
    "{City}, {d} {month} (Xinhua) -- ",
    "{CITY} \u2014 ",
    "By {p}, {City} \u2014 ",
    "{CITY} ({month} {d}) \u2014 ",
    "{City} (EFE) \u2013 ",
]
TAGLINES_1 = [
    "Additional reporting by {p} in {City}; writing by {q}.",
    "{p} contributed reporting from {City}.",
    "Copyright {h}{mm} The Associated Press. All rights reserved.",
    "Follow {p} on social media for updates from {City}.",
]
CORRECTIONS_1 = [
    "An earlier version of this article gave the wrong figure for {x}; it was {n}, not {m}.",
    "Corrects spelling of {p}'s name in paragraph {n}.",
    "This article was amended on {month} {d} to clarify the role of the {org}.",
    "Fixes typographical error in headline; adds comment from the {org}.",
]
NOTES_1 = [
    "Warning: the following report includes descriptions of violence.",
    "Refiles to add byline.",
    "BREAKING NEWS",
    "Please note: this report will be updated as more information becomes available.",
    "First published overnight. Updated with the latest figures.",
]
COPYEDITS_1 = {
    "said": "stated",
    "about": "roughly",
    "after": "once",
    "more than": "upwards of",
    "also": "as well",
    "people": "individuals",
    "because": "since",
    "sagte": "betonte",
    "mehr als": "rund",
    "dit": "a affirmé",
}


@dataclass(frozen=True)
class Wording:
    """What one desk adds to the copies it files."""

    datelines: list[str]
    taglines: list[str]
    corrections: list[str]
    notes: list[str]
    copyedits: dict[str, str]


# The third desk (``CorpusConfig.variant = 2``), written after the rules of this round were set and used
# only to check them: longer editor's notes and kickers (more copies whose lead a hard-wrapped first line
# hides), other datelines and credits, and briefs whose fixed text is long enough that two of them pass
# the Jaccard line, so only what differs (names, places, figures) can keep them apart.
DATELINES_2 = [
    "{CITY}, {d} {month} (ANSA) - ",
    "{City} / {month} {d} / ",
    "From our correspondent in {City}: ",
    "{CITY} (Kyodo) -- ",
    "{City}, {month} {d} (PA Media) \u2014 ",
]
TAGLINES_2 = [
    "Written by {p}; additional reporting by {q} in {City}.",
    "This report was produced with the help of the {org}.",
    "{p} is the paper's correspondent in {City}.",
    "Contact the newsdesk: {p}, {City} bureau.",
]
CORRECTIONS_2 = [
    "Note: A previous version of this report named the wrong {role}; {p} holds the post, not {q}.",
    "An earlier edition misstated the {x} total. The correct figure is {n}, not {m}, according to the {org}.",
    "This item was revised at {h}:{mm} to include a statement from the {org}.",
    "We have amended this report to clarify the role of {p}, who advises the {org}.",
]
NOTES_2 = [
    "Editor's note: this article is part of our continuing coverage and has been updated with new details "
    "from officials and witnesses.",
    "Advisory: the following story has been revised to include reaction from local officials and new "
    "figures released this afternoon.",
    "For subscribers: this story is free to read as part of our public service coverage of the region.",
    "UPDATE 2 - adds quotes from the briefing, background in paragraphs 4-6",
    "Please note that some details in this report could not be independently verified.",
]
COPYEDITS_2 = {
    "said": "noted",
    "about": "approximately",
    "after": "in the wake of",
    "more than": "in excess of",
    "also": "likewise",
    "people": "persons",
    "but": "yet",
    "sagte": "meinte",
    "mehr als": "mehr als rund",
    "dit": "a indiqué",
}


# The fourth desk (``CorpusConfig.variant = 3``), written in session 6 before any failure of that session
# was looked at, and used only to check the rules: bylines and datelines of other wires, kickers and
# notes that run long, corrections naming other figures, other copy-edits, and briefs (court sentences,
# flight disruption, job cuts) whose fixed frame is long and whose news is a handful of names and figures.
DATELINES_3 = [
    "{CITY} \u2014 (Bloomberg) ",
    "{City}, {month} {d} (EFE) -- ",
    "Datelined {City}: ",
    "{CITY}/{month} {d} (Xinhua) \u2013 ",
    "BY {p}, {CITY} \u2014 ",
]
TAGLINES_3 = [
    "{p} can be reached at the {City} desk.",
    "Additional reporting by {p} and {q}; writing by {q}; editing by the {org} desk.",
    "Copyright the {org}. Distributed by {p}.",
    "Follow {p}'s reporting from {City} on our website.",
]
CORRECTIONS_3 = [
    "Correction appended: the {org} figure for {x} is {n}, not {m} as first reported.",
    "An earlier version of this article gave the wrong title for {p}, who is the {role}.",
    "This article was amended on {d} {month} to correct the name of the {org}.",
    "Earlier versions said {q} was the {role2}; {p} is.",
]
NOTES_3 = [
    "Listen to this article. This story is part of a series on the region and was reported over several "
    "weeks with the help of local journalists and researchers.",
    "Breaking: more to follow.",
    "Live updates: this page is refreshed as new information comes in from the authorities on the ground.",
    "Warning: this report contains descriptions of violence.",
    "The following story was first published in our morning newsletter, sign up to receive it daily.",
]
COPYEDITS_3 = {
    "said": "stated",
    "people": "residents",
    "about": "some",
    "because": "as",
    "but": "however,",
    "after": "following",
    "more than": "over",
    "sagte": "erkl\u00e4rte",
    "mehr als": "\u00fcber",
    "dit": "a d\u00e9clar\u00e9",
}


WORDINGS = {
    0: Wording(DATELINES, TAGLINES, CORRECTIONS, NOTES, COPYEDITS),
    1: Wording(DATELINES_1, TAGLINES_1, CORRECTIONS_1, NOTES_1, COPYEDITS_1),
    2: Wording(DATELINES_2, TAGLINES_2, CORRECTIONS_2, NOTES_2, COPYEDITS_2),
    3: Wording(DATELINES_3, TAGLINES_3, CORRECTIONS_3, NOTES_3, COPYEDITS_3),
}


def fuel(rng: random.Random, writer: StoryWriter) -> str:
    """A pump-prices brief: one sentence frame per week, the region, prices and dates differ."""
    region = f"{rng.choice(['Greater', 'North', 'South', 'East', 'West'])} {rng.choice(CITIES)}"
    petrol, diesel = rng.randint(140, 230) / 100, rng.randint(140, 230) / 100
    return " ".join(
        [
            f"The average price of a litre of petrol in {region} was {petrol:.2f} on {rng.choice(DAYS)}, "
            f"{rng.choice(['up', 'down'])} {rng.randint(1, 9)} cents from a week earlier, the motoring "
            f"association said in its weekly survey of {rng.randint(300, 2000)} filling stations.",
            f"Diesel cost {diesel:.2f} a litre on average, while the cheapest station in the survey, in "
            f"{rng.choice(CITIES)}, charged {petrol - rng.randint(5, 20) / 100:.2f} for petrol.",
            f"Prices have {rng.choice(['risen', 'fallen'])} in {rng.randint(2, 9)} of the past "
            f"{rng.randint(10, 12)} weeks, tracking crude oil, which traded at ${rng.randint(60, 95)} a "
            f"barrel.",
            f"The association's spokesperson {writer.person()} advised drivers to compare prices before "
            f"filling up, saying the gap between stations had reached {rng.randint(10, 40)} cents.",
        ]
    )


def transit(rng: random.Random, writer: StoryWriter) -> str:
    """A service-disruption brief: the line, the stations, times and numbers are the news."""
    line = f"{rng.choice(['Red', 'Blue', 'Green', 'Orange', 'Circle', 'Airport'])} Line"
    a, b = rng.sample(CITIES, 2)
    return " ".join(
        [
            f"Trains on the {line} between {a} Central and {b} Junction were suspended for "
            f"{rng.randint(20, 240)} minutes on {rng.choice(DAYS)} morning after a signal failure near "
            f"{rng.choice(CITIES)} station, the operator said.",
            f"About {rng.randint(5, 90) * 1000:,} passengers were affected, and {rng.randint(3, 60)} replacement "
            f"buses ran between the two stations until service resumed at {rng.randint(6, 11)}:"
            f"{rng.randint(10, 59)}.",
            f"Operations manager {writer.person()} apologised for the disruption and said engineers would "
            f"inspect the signalling system overnight.",
            f"It was the {rng.randint(2, 12)}th failure on the line this year, according to figures from "
            f"the passenger group {writer.org()}.",
        ]
    )


def polls(rng: random.Random, writer: StoryWriter) -> str:
    """An opinion-poll brief: the parties' shares and the pollster change, the frame does not."""
    first, second = writer.org(), writer.org()
    lead, trail = rng.randint(25, 45), rng.randint(15, 35)
    return " ".join(
        [
            f"The {first} leads with {lead} percent support, ahead of the {second} on {trail} percent, "
            f"according to a poll published on {rng.choice(DAYS)} by the {rng.choice(LAST)} Institute.",
            f"The survey of {rng.randint(800, 3000):,} adults was conducted between {rng.choice(MONTHS)} "
            f"{rng.randint(1, 14)} and {rng.randint(15, 28)} and has a margin of error of "
            f"{rng.randint(2, 4)} percentage points.",
            f"Support for the {first} is {rng.choice(['up', 'down'])} {rng.randint(1, 6)} points since the "
            f"previous poll, while {rng.randint(8, 25)} percent of respondents said they were undecided.",
            f"Party leader {writer.person()} said in {rng.choice(CITIES)} that the only poll that mattered "
            f"was the one on election day.",
        ]
    )


def lottery(rng: random.Random, writer: StoryWriter) -> str:
    """A draw-results brief: a long fixed frame, the news is only the numbers, the town and the winner."""
    numbers = sorted(rng.sample(range(1, 50), 6))
    town = rng.choice(CITIES)
    return " ".join(
        [
            f"The winning numbers in {rng.choice(DAYS)}'s national lottery draw were "
            f"{', '.join(map(str, numbers[:5]))} and {numbers[5]}, with bonus ball {rng.randint(1, 49)}, the "
            "operator said in a statement published shortly after the draw on its website and social media.",
            f"One ticket bought in {town} matched all six numbers and wins a jackpot of "
            f"{rng.randint(2, 90)}.{rng.randint(1, 9)} million, the operator said, adding that the winner had "
            "not yet come forward and had 180 days to claim the prize at one of its regional offices.",
            f"A further {rng.randint(2, 40)} tickets matched five numbers and the bonus ball. The operator said "
            "that players should check their tickets carefully, and that unclaimed prizes go to good causes "
            "supported by the lottery fund, which has paid out more than it raised in each of the past years.",
        ]
    )


def accident(rng: random.Random, writer: StoryWriter) -> str:
    """A road-accident brief: police boilerplate around the road, the times, the ages and the spokesperson."""
    road = f"A{rng.randint(1, 99)}"
    place = rng.choice(CITIES)
    return " ".join(
        [
            f"A {rng.randint(18, 85)}-year-old driver was taken to hospital with serious injuries after a "
            f"collision on the {road} near {place} on {rng.choice(DAYS)} evening, police said in a statement "
            "released on the following morning.",
            "Officers were called to the scene shortly after the crash and the road was closed in both "
            f"directions for around {rng.randint(2, 9)} hours while a forensic investigation was carried out "
            "and the vehicles were recovered.",
            f"Police spokesperson {writer.person()} asked anyone who witnessed the collision, or who has "
            "dashboard camera footage of the vehicles before the crash, to contact the force quoting incident "
            f"number {rng.randint(100, 999)}.",
        ]
    )


def transfers(rng: random.Random, writer: StoryWriter) -> str:
    """A transfer brief: the player, the clubs, the fee and the contract length in a fixed frame."""
    player, buyer, seller = writer.person(), f"{rng.choice(CITIES)} FC", f"{rng.choice(CITIES)} United"
    return " ".join(
        [
            f"{buyer} have completed the signing of {player} from {seller} for a fee reported to be around "
            f"{rng.randint(2, 80)} million, the club announced on its website on {rng.choice(DAYS)}.",
            f"The {rng.randint(19, 33)}-year-old has signed a contract until {rng.randint(2027, 2031)} after "
            "passing a medical earlier in the week, and will wear the number "
            f"{rng.randint(2, 40)} shirt for the rest of the season.",
            f"{player} made {rng.randint(20, 250)} appearances for {seller}, scoring {rng.randint(0, 90)} goals, "
            "and becomes the club's latest signing of the transfer window, which closes at the end of the "
            "month.",
        ]
    )


def sentencing(rng: random.Random, writer: StoryWriter) -> str:
    """A court-sentence brief: the court's fixed wording around the defendant, the town, the term."""
    defendant, town = writer.person(), rng.choice(CITIES)
    offence = rng.choice(["fraud", "burglary", "arson", "dangerous driving", "assault", "theft"])
    return " ".join(
        [
            f"{defendant}, {rng.randint(19, 70)}, of {town}, was jailed for {rng.randint(1, 14)} years at "
            f"{rng.choice(CITIES)} Crown Court on {rng.choice(DAYS)} after pleading guilty to {offence}, the "
            "prosecution service said in a statement issued after the hearing.",
            "The court heard that the offences were committed over a period of several months and had caused "
            "lasting harm to the victims, who described the impact in statements read to the court by the "
            "prosecutor.",
            f"Judge {writer.person()} told the defendant that only an immediate custodial sentence could be "
            f"justified, and ordered {rng.randint(500, 9000)} in compensation to be paid within "
            f"{rng.randint(3, 24)} months.",
        ]
    )


def flights(rng: random.Random, writer: StoryWriter) -> str:
    """An airport-disruption brief: the airport, the cause and the counts change, the frame does not."""
    airport = rng.choice(CITIES)
    cause = rng.choice(["fog", "a strike by air traffic controllers", "snow", "an IT failure", "high winds"])
    return " ".join(
        [
            f"{rng.randint(12, 300)} flights were cancelled and {rng.randint(20, 400)} delayed at {airport} "
            f"airport on {rng.choice(DAYS)} because of {cause}, the airport operator said, advising "
            "passengers to check the status of their flight with their airline before travelling.",
            "Queues stretched outside the terminal building for much of the day, and the operator said extra "
            "staff had been brought in to help passengers rebook their journeys and find accommodation.",
            f"A spokesperson, {writer.person()}, said normal operations were expected to resume by "
            f"{rng.choice(DAYS)}, and that about {rng.randint(2, 60) * 1000:,} passengers had been affected.",
        ]
    )


def job_cuts(rng: random.Random, writer: StoryWriter) -> str:
    """A job-cuts brief: the company, the plant, the number of jobs and the union's spokesperson."""
    company, plant = writer.org(), rng.choice(CITIES)
    return " ".join(
        [
            f"The {company} said on {rng.choice(DAYS)} it would cut {rng.randint(40, 4000):,} jobs at its "
            f"plant in {plant} over the next {rng.randint(6, 36)} months as part of a restructuring plan "
            "intended to reduce costs and respond to weaker demand.",
            "The company said it would seek voluntary redundancies first and would work with employee "
            "representatives to limit the impact on staff and on the local economy.",
            f"Union official {writer.person()} called the decision a heavy blow for {plant} and said "
            f"members would meet on {rng.choice(DAYS)} to discuss their response.",
        ]
    )


EXTRA_BRIEFS = {
    0: (("markets", markets), ("rates", rates), ("elections", elections)),
    1: (("fuel", fuel), ("transit", transit), ("polls", polls)),
    2: (("lottery", lottery), ("accident", accident), ("transfers", transfers)),
    3: (("sentencing", sentencing), ("flights", flights), ("jobcuts", job_cuts)),
}
"""The briefs of issue 10 beyond earnings, sports and weather, per desk (``CorpusConfig.variant``)."""


def _sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?\"])\s+", paragraph) if s]


class Editor:
    """The desk that turns one story into its copies, choosing edits at random but reproducibly."""

    EDITS = (
        "headline",
        "trim",
        "dateline",
        "tagline",
        "correction",
        "note",
        "typography",
        "reflow",
        "copyedit",
    )

    def __init__(self, rng: random.Random, writer: StoryWriter, variant: int = 0) -> None:
        self.rng = rng
        self.writer = writer
        self.wording = WORDINGS[variant]

    def _fill(self, template: str) -> str:
        rng = self.rng
        city = rng.choice(CITIES)
        values = {
            "CITY": city.upper(),
            "City": city,
            "month": rng.choice(MONTHS)[:3] + ".",
            "d": str(rng.randint(1, 28)),
            "p": self.writer.person(),
            "q": self.writer.person(),
            "x": rng.choice(["victims", "votes", "jobs", "seats", "homes"]),
            "n": str(rng.randint(2, 90)),
            "m": str(rng.randint(91, 400)),
            "role": rng.choice(ROLES),
            "role2": rng.choice(ROLES),
            "org": self.writer.org(),
            "h": str(rng.randint(0, 23)),
            "mm": f"{rng.randint(0, 59):02d}",
        }
        return template.format(**values)

    def copy(self, paragraphs: list[str], headline: str | None) -> tuple[str, tuple[str, ...]]:
        rng = self.rng
        edits = tuple(sorted(rng.sample(self.EDITS, rng.randint(1, 4)), key=self.EDITS.index))
        body = list(paragraphs)
        if "trim" in edits:
            sentences = [(i, s) for i, p in enumerate(body) for s in _sentences(p)]
            total = sum(len(s.split()) for _, s in sentences)
            keep_words, kept, count = total * (1 - rng.uniform(0.2, 0.4)), [], 0
            for i, sentence in sentences:
                if count >= keep_words:
                    break
                kept.append((i, sentence))
                count += len(sentence.split())
            grouped: dict[int, list[str]] = {}
            for i, sentence in kept:
                grouped.setdefault(i, []).append(sentence)
            body = [" ".join(grouped[i]) for i in sorted(grouped)]
        if "copyedit" in edits:
            for _ in range(rng.randint(1, 4)):
                target = rng.randrange(len(body))
                copyedits = self.wording.copyedits
                for old, new in rng.sample(sorted(copyedits.items()), len(copyedits)):
                    if f" {old} " in body[target]:
                        body[target] = body[target].replace(f" {old} ", f" {new} ", 1)
                        break
        if "dateline" in edits:
            body[0] = self._fill(rng.choice(self.wording.datelines)) + body[0]
        if "note" in edits:
            body.insert(0, rng.choice(self.wording.notes))
        if "tagline" in edits:
            body.append(self._fill(rng.choice(self.wording.taglines)))
        if "correction" in edits:
            body.append(self._fill(rng.choice(self.wording.corrections)))
        if "headline" in edits or headline is not None:
            title = self.writer.headline() if "headline" in edits else headline
            body.insert(0, title or "")
        text = "\n\n".join(body)
        if "typography" in edits:
            text = self.typography(text)
        if "reflow" in edits:
            text = self.reflow(text)
        return text, edits

    def typography(self, text: str) -> str:
        if self.rng.random() < 0.5:
            text = re.sub(r'"(\S[^"]*?)"', "\u201c\\1\u201d", text).replace("'", "\u2019")
            return text.replace(" - ", " \u2014 ").replace("--", "\u2014")
        text = text.translate(
            str.maketrans(
                {
                    "\u201c": '"',
                    "\u201d": '"',
                    "\u2019": "'",
                    "\u2018": "'",
                    "\u201e": '"',
                    "\u00ab": '"',
                    "\u00bb": '"',
                }
            )
        )
        return text.replace("\u2014", "--").replace("\u2013", "-")

    def reflow(self, text: str) -> str:
        words = text.split()
        lines, line = [], []
        width = self.rng.randint(50, 90)
        for word in words:
            line.append(word)
            if sum(len(w) + 1 for w in line) > width:
                lines.append(" ".join(line))
                line = []
        lines.append(" ".join(line))
        return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------- assembly


def _words(paragraphs: list[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)


def _take(paragraphs: list[str], words: int) -> list[str]:
    out: list[str] = []
    for paragraph in paragraphs:
        if _words(out) >= words:
            break
        out.append(paragraph)
    return out


def generate(config: CorpusConfig | None = None) -> list[Doc]:
    config = config or CorpusConfig()
    rng = random.Random(config.seed)
    writer = StoryWriter(rng)
    editor = Editor(rng, writer, config.variant)
    docs: list[Doc] = []

    real = real_texts(config.real_dir, config.min_words, config.max_words)
    rng.shuffle(real)
    bases: list[tuple[str, list[str], str]] = []  # (story id, paragraphs, kind)
    for i, paragraphs in enumerate(real[: config.real_bases]):
        bases.append((f"real{i}", paragraphs, "base-real"))
    reserve = real[config.real_bases :]  # new material for updates of real stories, never a base itself
    for i in range(config.generated_bases):
        length = int(rng.triangular(config.min_words, config.max_words, 450))
        bases.append((f"gen{i}", writer.story(length), "base-generated"))

    families: dict[str, str] = {}
    update_bases = rng.sample(range(len(bases)), config.minor_updates + config.major_updates)
    for n, index in enumerate(update_bases):
        story_id, paragraphs, kind = bases[index]
        major = n >= config.minor_updates
        original = _words(paragraphs)
        if major:  # more than half of the update is new: keep a lead, add a larger new body
            kept = _take(paragraphs, original * rng.uniform(0.2, 0.45))
            share = rng.uniform(0.55, 0.8)
        else:  # the same story with a few paragraphs added: at most a third new
            kept = list(paragraphs)
            share = rng.uniform(0.1, 0.33)
        new_words = int(_words(kept) * share / (1 - share))
        if kind == "base-real" and reserve:
            material = reserve.pop()
            new = _take(material, new_words)
        else:
            new = writer.story(new_words)[1:]
        updated = kept[:2] + new + kept[2:] if not major else kept + new
        new_share = _words(new) / max(1, _words(updated))
        if (major and new_share <= 0.5) or (not major and new_share > 1 / 3 + 0.02):
            continue  # material ran short of the labelled bound; no defensible label, so no document
        if major and fuller_update(_words(kept), original, new_share, config):
            # The update kept the whole story (paragraphs are taken whole, so a story of few long ones
            # keeps more than the drawn share) and added more than half new: the story's fuller version.
            docs.append(Doc(f"{story_id}-update", "\n\n".join(updated), story_id, "update-full"))
        elif major:
            families[story_id] = f"update:{story_id}"
            docs.append(
                Doc(
                    f"{story_id}-update",
                    "\n\n".join(updated),
                    f"{story_id}-update",
                    "update-major",
                    f"update:{story_id}",
                )
            )
        else:
            docs.append(Doc(f"{story_id}-update", "\n\n".join(updated), story_id, "update-minor"))

    for story_id, paragraphs, kind in bases:
        headline = writer.headline() if rng.random() < 0.5 else None
        text = "\n\n".join(([headline] if headline else []) + paragraphs)
        family = families.get(story_id)
        docs.append(Doc(story_id, text, story_id, kind, family))
        for v in range(rng.choice(config.variants)):
            copy, edits = editor.copy(paragraphs, headline)
            docs.append(Doc(f"{story_id}-v{v}", copy, story_id, "variant", family, edits))

    for name, make in (("earnings", earnings), ("sports", sports), ("weather", weather)):
        for i in range(config.templated_per_family):
            docs.append(Doc(f"{name}{i}", make(rng, writer), f"{name}{i}", f"templated-{name}", name))

    for i in range(config.shared_quote_pairs):
        quote_source = reserve.pop() if reserve and rng.random() < 0.5 else writer.story(120)
        quote = " ".join(" ".join(quote_source).split()[: rng.randint(60, 120)])
        speaker = writer.person()
        for side in ("a", "b"):
            paragraphs = writer.story(rng.randint(150, 400))
            paragraphs.insert(rng.randint(1, 2), f"\u201c{quote}\u201d said {speaker}.")
            docs.append(
                Doc(
                    f"quote{i}{side}",
                    "\n\n".join(paragraphs),
                    f"quote{i}{side}",
                    "shared-quote",
                    f"quote:{i}",
                )
            )

    for outlet in range(config.footer_outlets):
        footer = " ".join(" ".join(writer.story(rng.randint(60, 150))).split()[:150])
        footer = f"About {writer.org()}: {footer} Copyright {rng.randint(2019, 2026)}. All rights reserved."
        for i in range(config.footer_stories_per_outlet):
            paragraphs = [*writer.story(rng.randint(150, 300)), footer]
            docs.append(
                Doc(
                    f"footer{outlet}-{i}",
                    "\n\n".join(paragraphs),
                    f"footer{outlet}-{i}",
                    "shared-footer",
                    f"footer:{outlet}",
                )
            )

    docs += _issue10_families(config, rng, writer, bases)
    rng.shuffle(docs)  # arrival order is random: copies may come before their original
    return docs


FULLER_UPDATE = 0.8
"""Share of its story's words an update more than half new must keep to be that story's fuller version."""


def fuller_update(kept_words: int, original_words: int, new_share: float, config: CorpusConfig) -> bool:
    """Whether an update more than half new is the same story as its original (``fuller_updates_join``).

    The desk's view, set in session 6: an update that carries at least 80% of its story (the line at which
    the issue calls one text contained in another) and adds more than as much again, but at most twice as
    much (at most two-thirds of the update new), is that story's newest, fullest version. It is the same
    text relation as a whole story arriving after its half trim (the story plus 45-60% more after it),
    which must join; no reader of the two texts could label them apart. Such an update joining its story
    loses nothing: it becomes the representative and the old text, all inside it, moves to the copies. An
    update keeping less (a lead and new news), or more than two-thirds new (a new story around the old one,
    the line ``worker.relation.MIN_COVER`` draws), stays a story of its own, as before.
    """
    return config.fuller_updates_join and kept_words >= FULLER_UPDATE * original_words and new_share <= 2 / 3


def _sentence_prefix(paragraphs: list[str], share: float) -> list[str]:
    """The story cut after whole sentences once ``share`` of its words are kept, as a desk trims."""
    sentences = [(i, s) for i, p in enumerate(paragraphs) for s in _sentences(p)]
    total = sum(len(s.split()) for _, s in sentences)
    grouped: dict[int, list[str]] = {}
    count = 0
    for i, sentence in sentences:
        if count >= total * share:
            break
        grouped.setdefault(i, []).append(sentence)
        count += len(sentence.split())
    return [" ".join(grouped[i]) for i in sorted(grouped)]


def _issue10_families(
    config: CorpusConfig, rng: random.Random, writer: StoryWriter, bases: list[tuple[str, list[str], str]]
) -> list[Doc]:
    """Half trims, embedded-wire local stories, more templated briefs, short quotes, reused leads.

    Drawn after every older family, so the documents those families produce are unchanged by this one.
    Bases for half trims and embeds are distinct generated or real stories of at least 300 words, so a
    half trim still carries a real story and a local story's wire half is a full article.
    """
    docs: list[Doc] = []
    long_bases = [b for b in bases if _words(b[1]) >= 300]
    chosen = rng.sample(long_bases, min(len(long_bases), config.half_trims + config.embedded_locals))
    for story_id, paragraphs, _kind in chosen[: config.half_trims]:
        kept = _sentence_prefix(paragraphs, rng.uniform(0.40, 0.55))
        extra = ("dateline",) if rng.random() < 0.3 else ()
        text = "\n\n".join(kept)
        if extra:
            editor = Editor(rng, writer, config.variant)
            text = editor._fill(rng.choice(editor.wording.datelines)) + text
        docs.append(Doc(f"{story_id}-half", text, story_id, "variant", None, ("halftrim", *extra)))
    for n, (story_id, paragraphs, _kind) in enumerate(chosen[config.half_trims :]):
        wire = _words(paragraphs)
        local_share = rng.uniform(0.4, 0.6)
        local = writer.story(int(wire * local_share / (1 - local_share)))
        lead, rest = local[:1], local[1:]
        body = [*lead, *paragraphs, *rest]
        docs.append(
            Doc(
                f"local{n}",
                "\n\n".join(body),
                f"local{n}",
                "local-embed",
                f"embed:{story_id}",
                embeds=story_id,
            )
        )
    for name, make in EXTRA_BRIEFS[config.variant]:
        for i in range(config.templated_extra_per_family):
            docs.append(Doc(f"{name}{i}", make(rng, writer), f"{name}{i}", f"templated-{name}", name))
    for i in range(config.short_quote_pairs):
        quote = " ".join(" ".join(writer.story(60)).split()[: rng.randint(20, 40)])
        speaker = writer.person()
        for side in ("a", "b"):
            paragraphs = writer.story(rng.randint(60, 160))
            paragraphs.insert(1, f"\u201c{quote}\u201d said {speaker}.")
            docs.append(
                Doc(
                    f"squote{i}{side}",
                    "\n\n".join(paragraphs),
                    f"squote{i}{side}",
                    "short-quote",
                    f"squote:{i}",
                )
            )
    gen_bases = [b for b in bases if b[2] == "base-generated" and b[0] not in {c[0] for c in chosen}]
    for story_id, paragraphs, _kind in rng.sample(gen_bases, min(len(gen_bases), config.lead_reuses)):
        lead = paragraphs[:1]
        follow = writer.story(max(150, int(_words(paragraphs) * rng.uniform(0.7, 1.2))))[1:]
        text = "\n\n".join([*lead, *follow])
        docs.append(Doc(f"{story_id}-nextday", text, f"{story_id}-nextday", "lead-reuse", f"lead:{story_id}"))
    return docs


def summary(docs: list[Doc]) -> str:
    kinds = Counter(doc.kind for doc in docs)
    stories = Counter(doc.story for doc in docs)
    positives = sum(n * (n - 1) // 2 for n in stories.values())
    words = sorted(len(doc.text.split()) for doc in docs)
    lines = [
        f"{len(docs)} documents, {len(stories)} stories, {positives} near-duplicate pairs",
        f"words per document: min {words[0]}, median {words[len(words) // 2]}, max {words[-1]}",
    ]
    lines += [f"  {kind:<16} {count}" for kind, count in sorted(kinds.items())]
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(generate()))
