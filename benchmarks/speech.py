"""Generated talk transcripts for the benchmark: sentences of the words talks are made
of, in the proportions speech has (a few words are most of what is said; names and
terms make a long tail), seeded, so every run writes the same text.

Word frequencies follow Zipf's law (the r-th commonest word about 1/r as often), with
the function words of spoken English first, then 20,000 made-up words standing in for
names, products and rarer vocabulary. And as in real talks, what a talk is about comes in
bursts: each talk has its own dozen terms of cloud and backend work and a few dozen names
(about one word in eight is one of them), which most other talks never say.
"""

import itertools
import random
from collections.abc import Iterator

SPOKEN = (  # noqa: SIM905 - words read better as words
    "the and to of a we that is it you in so this for on with are be can what have our at "
    "not do but they if one all just about there like when how then because more from an or "
    "right actually really going know think see get make now here which was would will us "
    "your out up some time way also first very these need other into look those each thing "
    "things only much people two well want new where why let something over even back again"
).split()
TERMS = (  # noqa: SIM905
    "latency throughput partition replica consistency cache queue lambda serverless region "
    "availability zone failover retry idempotent database storage network function service "
    "request response customer team deploy deployment container cluster scale scaling "
    "instance compute memory disk traffic load balancer event events stream streaming "
    "message messages producer consumer schema index query queries table tables write "
    "writes read reads log logs metric metrics alarm dashboard incident outage recovery "
    "backup snapshot encryption key keys policy policies role roles permission security "
    "identity token tokens api apis endpoint gateway edge cdn origin bucket object objects "
    "graviton nitro hypervisor chip silicon processor core cores cost costs price pricing "
    "architecture architectures pattern patterns design system systems distributed "
    "asynchronous synchronous workflow workflows orchestration choreography saga "
    "microservice microservices monolith migration tenant tenants isolation quota limit "
    "limits throttling backpressure buffer batch batches shard shards replication leader "
    "follower quorum consensus clock clocks ordering duplicate duplicates exactly once "
    "delivery guarantee guarantees durability resilience chaos experiment experiments "
    "observability tracing trace traces sampling percentile tail median average"
).split()
ONSETS = ("b", "br", "c", "ch", "d", "f", "g", "gr", "k", "l", "m", "n", "p", "pl", "r", "s",
          "st", "t", "tr", "v", "w", "z")  # fmt: skip
VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "io", "ou")
CODAS = ("", "n", "r", "s", "t", "x", "nd", "rk", "ll", "st")
RARE_WORDS = 20_000
TOPIC_SHARE = 0.12  # of a talk's words, its own terms and names
TOPIC_TERMS, TOPIC_NAMES = 12, 25


def made_up(count: int, seed: int = 1) -> list[str]:
    """`count` different pronounceable words of two or three syllables."""
    pick = random.Random(seed)
    seen: set[str] = set()
    while len(seen) < count:
        syllables = pick.choice((2, 2, 3))
        word = "".join(pick.choice(ONSETS) + pick.choice(VOWELS) for _ in range(syllables))
        seen.add(word + pick.choice(CODAS))
    words = sorted(seen)  # a set's order changes from run to run; the shuffle is seeded
    pick.shuffle(words)
    return words


class Speech:
    """Sentences, passages and subtitle files of generated speech."""

    WORDS_PER_SECOND = 2.5  # 150 words a minute

    def __init__(self, seed: int = 0):
        self.random = random.Random(seed)
        self.vocabulary = [*SPOKEN, *made_up(RARE_WORDS)]
        weights = [1 / (rank**1.07) for rank in range(1, len(self.vocabulary) + 1)]
        self.cumulative = list(itertools.accumulate(weights))
        self.about: list[str] = []

    def new_talk(self) -> None:
        """What the next talk is about: its terms, and names from the rarer half."""
        names = self.random.sample(self.vocabulary[RARE_WORDS // 2 :], TOPIC_NAMES)
        self.about = [*self.random.sample(TERMS, TOPIC_TERMS), *names]

    def words(self, count: int) -> list[str]:
        said = self.random.choices(self.vocabulary, cum_weights=self.cumulative, k=count)
        if self.about:
            for at in range(count):
                if self.random.random() < TOPIC_SHARE:
                    said[at] = self.random.choice(self.about)
        return said

    def sentences(self, count: int) -> Iterator[str]:
        """Sentences of 6 to 18 words (the words drawn in one batch: it is the slow part)."""
        lengths = [self.random.randint(6, 18) for _ in range(count)]
        words = iter(self.words(sum(lengths)))
        for length in lengths:
            said = list(itertools.islice(words, length))
            yield f"{said[0].capitalize()} {' '.join(said[1:])}."

    def passages(self, seconds: int = 3600, each: int = 36) -> list[tuple[int, int, str]]:
        """(start, end, text) of about `each` seconds, covering `seconds` of a new talk."""
        self.new_talk()
        out = []
        per_passage = int(each * self.WORDS_PER_SECOND)
        for start in range(0, seconds, each):
            text, length = [], 0
            for sentence in self.sentences(per_passage // 12 + 1):
                text.append(sentence)
                length += sentence.count(" ") + 1
                if length >= per_passage:
                    break
            out.append((start, min(start + each, seconds), " ".join(text)))
        return out

    def vtt(self, seconds: int = 3600, cue: int = 5) -> str:
        """A WebVTT file of `seconds` of a new talk, a cue every `cue` seconds."""
        self.new_talk()
        blocks = ["WEBVTT\nKind: captions\nLanguage: en"]
        per_cue = int(cue * self.WORDS_PER_SECOND)
        sentence_words: list[str] = []
        for start in range(0, seconds, cue):
            while len(sentence_words) < per_cue:
                sentence_words += next(self.sentences(1)).split()
            said, sentence_words = sentence_words[:per_cue], sentence_words[per_cue:]
            blocks.append(f"{stamp(start)} --> {stamp(start + cue)}\n{' '.join(said)}")
        return "\n\n".join(blocks) + "\n"


def stamp(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.000"
