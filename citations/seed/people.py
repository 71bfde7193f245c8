"""Who gets cited in the seeded program: names, areas, languages, how often each ordinance is
cited, and a population drawn from lazily so memory follows citations, not population."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

AREAS = [
    "Central",
    "Westlake",
    "Boyle Heights",
    "Hollywood",
    "Echo Park",
    "Downtown",
    "Harbor",
    "Van Nuys",
    "Watts",
    "Venice",
    "Los Feliz",
    "Sylmar",
]
LANGUAGES = [("en", 55), ("es", 32), ("zh", 3), ("ko", 2), ("vi", 2), ("tl", 3), ("hy", 3)]
FIRST = [
    "Maria",
    "James",
    "Jose",
    "Mary",
    "Luis",
    "Linda",
    "Kevin",
    "Ana",
    "David",
    "Rosa",
    "Juan",
    "Sarah",
    "Carlos",
    "Mei",
    "Min-jun",
    "Thi",
    "Armen",
    "Grace",
    "Tyler",
    "Aisha",
]
LAST = [
    "Lopez",
    "Garcia",
    "Smith",
    "Nguyen",
    "Kim",
    "Hernandez",
    "Martinez",
    "Lee",
    "Johnson",
    "Perez",
    "Gonzalez",
    "Brown",
    "Sanchez",
    "Ramirez",
    "Chen",
    "Petrosyan",
    "Santos",
]
WEIGHTS = {
    "LAMC 41.27(c)": 30,
    "LAMC 41.47.2": 8,
    "LAMC 112.01": 8,
    "LAMC 41.57": 6,
    "LAMC 53.06.2": 10,
    "LAMC 53.49": 6,
    "LAMC 56.11": 9,
    "LAMC 56.15(1)": 5,
    "LAMC 42.13": 8,
    "LAMC 66.25(a)": 4,
    "LAMC 112.04(c)": 3,
    "DCMC 63.44.7": 3,
    "LAMC 41.59": 2,
}
"""How often each ordinance is cited, relative to the others."""
PHONES, EMAILS = 0.75, 0.4
"""The shares of people who give a phone and an email (each with consent to reminders)."""
AREA_CODES = ("213", "323", "310", "818", "626")


@dataclass
class Person:
    id: int
    first: str
    last: str
    dob: date
    language: str
    area: str
    identifier: str | None
    phone: str | None = None
    """A fictional number (555-01xx) when they gave one, with consent to texts."""
    email: str | None = None
    """An address at example.com when they gave one, with consent to emails."""
    history: list[tuple[date, str, str]] = field(default_factory=list)
    """(violation date, ordinance, category) of citations issued to them, in order."""


def weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    """One of `pairs`' values, drawn by its weight."""
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


class Population:
    """The people a seeded program cites.

    The population is three times the citations, so most people are cited once; a few (one
    in a hundred, drawn a fifth of the time) are cited again and again, as in real programs.
    People are made when first drawn, so memory follows citations, not population; each is
    made from their own generator, so who they are does not depend on when they are drawn.
    """

    def __init__(self, citations: int, seed: int, rng: random.Random) -> None:
        self.size = max(citations * 3, 1)
        self.frequent = max(self.size // 100, 1)
        self.seed = seed
        self.rng = rng
        self.people: dict[int, Person] = {}

    def draw(self) -> Person:
        """The person the next citation is issued to."""
        rng = self.rng
        index = rng.randrange(self.frequent) if rng.random() < 0.2 else rng.randrange(self.size)
        if index not in self.people:
            own = random.Random(self.seed * 1_000_003 + index)
            first, last = own.choice(FIRST), own.choice(LAST)
            person = Person(
                index,
                first,
                last,
                date(1950, 1, 1) + timedelta(days=own.randrange(365 * 58)),
                weighted(own, LANGUAGES),
                own.choice(AREAS),
                f"D{own.randrange(10**7):07d}" if own.random() < 0.7 else None,
            )
            # Drawn last, so who everyone is stays as before contacts were seeded.
            if own.random() < PHONES:
                person.phone = f"+1{own.choice(AREA_CODES)}55501{own.randrange(100):02d}"
            if own.random() < EMAILS:
                person.email = f"{first}.{last}{index}@example.com".lower().replace(" ", "")
            self.people[index] = person
        return self.people[index]
