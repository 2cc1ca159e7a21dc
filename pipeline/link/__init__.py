"""pipeline/link: one person across every roster (int_records_linked_to_persons).

``link(records, settings, residence_precedence) -> Linkage``, the steps in order:
0. copies.py      a row with a valid ID that repeats an earlier one in every column identity reads
                  (a monthly ledger's payee, a visit log's visits) is read once, counted as many
                  times as it is written; each copy gets its row's answer at the end;
1. anchors.py     exact valid ID links (entities): a row is its valid ID's person's under any name,
                  unless its own 与户主关系 contradicts the ID (a parent's ID on a child's row: detached);
2. blocking.py    candidate entity pairs from tiny declared rules;
3. features.py    record pairs with id_relation (full IDs, slips, Excel's 15 digits or display form),
                  name_ratio, co_members, name_village_unique (the village's only person of that
                  name: evidence for a row without a usable ID), relation_conflict;
4. scoring.py     comparison levels (comparisons.py), weights (settings.toml), hard rules, decisions;
5. cluster.py     connected components, split where two valid IDs would meet;
6. persons.py     person_key, persons, each record's match_method;
7. explain.py     match_method and review reasons in words.
With ``decisions`` (``link_decisions``), decisions.py applies a person's answers: 同一人 forces the
link after scoring, 不是同一人 forbids it and is a cannot-link in clustering, decided pairs leave review.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import psutil

from pipeline.link import cuts
from pipeline.link.anchors import anchor
from pipeline.link.blocking import candidate_pairs
from pipeline.link.cluster import cluster
from pipeline.link.comparisons import COMPARISONS
from pipeline.link.copies import distinct_rows, restore_detached
from pipeline.link.decisions import DIFFERENT, SAME, apply, decided_pairs, entity_pairs, noted, undecided
from pipeline.link.explain import method, reasons
from pipeline.link.features import LENT, household_members, pair_slices, pairs_of_records, profiles, record_pairs, unlent_profiles
from pipeline.link.persons import READS, build_persons
from pipeline.link.scoring import decide, score_pairs
from pipeline.link.settings import LinkSettings, load
from pipeline.review.keys import KEY_COLUMNS
from pipeline.store import height, spool

# The entities' file in the folder ``link`` is given.
ENTITIES = "entities"

# Record pairs built and scored at once (a slice of the candidate entity pairs): at 1,000,000
# households about 0.5 GB of pairs a slice.
PAIRS_AT_ONCE = 100_000

__all__ = ["link", "Linkage", "LinkSettings", "load", "peak_memory_mb", "score_candidates"]

# The columns ``link`` reads. Optional: ``id_number_raw`` (it tells 15-digit old IDs and Excel's
# truncated …000 from a scientific number apart) and ``account`` (a payment's 一卡通账号: two payment
# rows to one account are one payee).
RECORD_COLUMNS = (
    "record_id", "source_table", "name", "name_display", "name_pinyin", "name_pinyin_fuzzy",
    "id_number", "id_valid", "id_prefix", "birth_date", "gender", "county", "township", "village",
    "household_key", "relation",
)


@dataclass
class Linkage:
    assignments: pl.DataFrame  # one row per record: record_id, person_key, match_method (codes), match_score
    persons: pl.DataFrame | pl.LazyFrame  # (lazy: waiting in the run's build folder) one row per person: person_key, id_number, name, gender, birth_date, county, township, village, n_records, source_tables
    review: pl.DataFrame  # one row per uncertain pair, not linked: record_id_l, record_id_r, score, reasons
    settings: dict  # LinkSettings.to_dict() as used: goes into `runs`
    counts: dict = field(default_factory=dict)  # records, entities, candidate pairs, links ... for `runs`
    stages: dict = field(default_factory=dict)  # stage -> (wall seconds, process peak memory in MB so far)


def peak_memory_mb(process: psutil.Process | None = None) -> float:
    """The process's peak resident memory where psutil reports one (Windows ``peak_wset``), else
    its current RSS (callers sample it after each stage and keep the highest)."""
    info = (process or psutil.Process()).memory_info()
    peak = getattr(info, "peak_wset", None) or getattr(info, "peak_rss", None)
    return (peak or info.rss) / 2**20


class _Stages(dict):
    def __init__(self) -> None:
        super().__init__()
        self._t = time.perf_counter()
        self._process = psutil.Process()
        self._peak = 0.0

    def done(self, stage: str) -> None:
        now = time.perf_counter()
        self._peak = max(self._peak, peak_memory_mb(self._process))
        self[stage] = (round(now - self._t, 3), round(self._peak))
        self._t = now


def link(
    records: pl.DataFrame | pl.LazyFrame,
    settings: LinkSettings | None = None,
    residence_precedence: list[str] | tuple[str, ...] = (),
    decisions: pl.DataFrame | None = None,
    scorer=None,
    folder: Path | None = None,
    by_cuts: bool = False,
) -> Linkage:
    """``records``: a frame, or a lazy one (a run's: then identity alone holds the records, and
    lets each column go once nothing after it reads it).  ``decisions``: a person's 同一人 /
    不是同一人 on record pairs (``link_decisions``, see ``decisions.py``); None links as if there
    were none.  ``scorer``: how the candidate pairs are found and scored (``score_candidates``
    here, the default; ``partitioned.py`` on a cluster), given the profile in a list it takes it
    from (a function holds its arguments until it returns: so it may let the profile go).
    ``folder`` (a run's build folder): where the entities wait while their pairs are scored, and
    where a quarter of more than ``cuts.PERSONS_AT_ONCE`` records has its persons built a cut at a
    time (``build_persons``); without it every step holds the whole quarter.  ``by_cuts`` (with
    ``folder``; a cluster's run, whose scorer never holds the whole profile): such a quarter is
    anchored and profiled a cut at a time too (``cuts.py``; slower: its cuts go through files)."""
    settings = settings or load()
    precedence = list(residence_precedence)
    _check_columns(records)
    n_records = height(records)
    human = decided_pairs(_named(records, decisions), decisions) if decisions is not None else None

    stages = _Stages()
    n_cuts = cuts.cuts_for(n_records) if folder is not None and by_cuts else 1
    entities, profile, detached, copies = _anchored(records, n_cuts, settings, precedence, folder, stages.done)
    del records  # memory: the entities hold the columns still read
    candidates, decided = (scorer or _score_here)(profile, settings, stages.done)
    # the copies need not be here: a decision names records by their key (review.keys), which a
    # copy shares with its row, and of the records it names the lowest pair is kept (entity_pairs)
    record_entity = entities.lazy().select("record_id", "entity").collect() if human is not None else None
    human = entity_pairs(human, record_entity) if human is not None else None
    decided = apply(decided, human) if human is not None else decided
    decided = decided.filter(pl.col("decision") != "none")  # memory: only links and doubts are read on
    stages.done("scoring")
    links = decided.filter(pl.col("decision") == "link")
    entity_table = (  # the first record of each anchored entity (one ID: the same ID columns), and only these columns
        entities.lazy().filter(pl.col("anchored") & pl.col("entity").is_first_distinct()).select("entity", *ENTITY_IDS).collect()
    )
    cannot, must = (None, None) if human is None else (human.filter(pl.col("decision") == DIFFERENT), human.filter(pl.col("decision") == SAME))
    pair = ["entity_l", "entity_r"]
    membership, cut = cluster(entity_table, links.select(*pair, "score"), cannot, must)
    # memory: clustering read three columns of the links; the links it took away get the rest back
    # (review reads them), the kept ones keep what persons read, and of the other pairs only the doubts stay
    split = cut.select(*pair, "conflict").join(links, on=pair, how="left", maintain_order="left").select(*links.columns, "conflict")
    kept = links.select(*pair, "score", "match_method").join(cut, on=pair, how="anti")
    decided = decided.filter(pl.col("decision") == "review")
    del entity_table, links, cut
    entities = entities.select(c for c in READS if c in entities.collect_schema().names())
    stages.done("cluster")
    assignments, persons = build_persons(entities, membership, kept, precedence, folder, copies)
    assignments = noted(assignments, human) if human is not None else assignments
    stages.done("persons")
    review = _review(decided, split, detached, assignments, settings)
    review = undecided(review, human, record_entity) if human is not None else review
    stages.done("review")
    counts = {
        "records": n_records,
        "entities": entities.lazy().select(pl.col("entity").n_unique()).collect().item(),
        "candidate_pairs": candidates.height,
        "links": kept.height,
        "split_links": split.height,
        "review": review.height,
        "persons": height(persons),
    }
    return Linkage(assignments, persons, review, settings.to_dict(), counts, dict(stages))


def _anchored(records, n_cuts: int, settings: LinkSettings, precedence: list[str], folder: Path | None, done):
    """(entities with the columns read after scoring, [profile], the detached records' review
    rows, the copies): each distinct row with a valid ID read once (``copies.py``), in ``n_cuts``
    cuts of IDs (``cuts.py``: the entities and profile lazy scans of their files in ``folder``), or
    in memory (the entities then wait in ``folder`` while the pairs are scored)."""
    if n_cuts > 1:  # memory: no step holds every record
        anchored = cuts.anchored_profiles(records, n_cuts, Path(folder) / "identity", settings, precedence, _linking_columns, AFTER_SCORING)
        done("anchors")
        detached = _detached_review(anchored.profile, anchored.entities, anchored.conflicts, settings)
        return anchored.entities, [anchored.profile], detached, anchored.copies
    rows, copies = distinct_rows(_linking_columns(records))
    entities, conflicts = anchor(rows, settings, precedence)
    del rows
    entities, conflicts, copies = restore_detached(entities, conflicts, copies)
    done("anchors")
    # the profile (1.16M rows x 34 at 200,000 households) is the scorer's alone: it lets it go
    profile = [profiles(entities)]
    detached = _detached_review(profile[0], entities, conflicts, settings)
    # memory: what clustering, persons and review read; the rest was read by anchors and profiles
    # (the scorer holds the profile only until it has written or scored it)
    entities = entities.select(c for c in AFTER_SCORING if c in entities.columns)
    if folder is not None:  # memory: read again, a few columns at a time, once the pairs are scored
        entities = spool(folder, {ENTITIES: entities})[ENTITIES]
    return entities, profile, detached, copies


# What clustering reads of an anchored entity (``cluster``), and what clustering, persons and
# review read of the entities after scoring (the rest were the profile's).
ENTITY_IDS = ("anchored", "id_full", "valid", "id_prefix15", "id_round15", "id_short", "id_zeros")
AFTER_SCORING = tuple(dict.fromkeys((*READS, *ENTITY_IDS)))


# Columns of few values, held as codes while identity runs (4 bytes a record, not 16 as text);
# they leave ``link`` as text.
CODED = ("source_table", "gender", "county", "township", "village")


def _check_columns(records: pl.DataFrame | pl.LazyFrame) -> None:
    missing = [c for c in RECORD_COLUMNS if c not in records.collect_schema().names()]
    if missing:
        raise ValueError(f"link: records lack column(s) {', '.join(missing)}")


def _named(records: pl.DataFrame | pl.LazyFrame, decisions: pl.DataFrame) -> pl.DataFrame:
    """record_id and the key columns of the records of a name the ``decisions`` name (a key names
    records of its own name only: ``review.keys.matches``)."""
    names = pl.concat([decisions["name_l"], decisions["name_r"]]).drop_nulls().unique().implode()
    return records.lazy().filter(pl.col("name").is_in(names)).select("record_id", *KEY_COLUMNS).collect()


def _linking_columns(records: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """The columns ``link`` reads, in memory, each in one piece (``id_number_raw`` when present,
    ``account`` as text or null)."""
    _check_columns(records)
    names = records.collect_schema().names()
    account = pl.col("account").cast(pl.Utf8) if "account" in names else pl.lit(None, pl.Utf8)
    columns = [*RECORD_COLUMNS, *(["id_number_raw"] if "id_number_raw" in names else []), account.alias("account")]
    # One piece per column: identity adds columns beside these (``anchors.with_lookup``), and a
    # column added beside columns read in pieces (one per file and row group) makes polars copy
    # them all into one (+2.1 GB at 1,000,000 households, against +0.6 GB in one piece).
    pieces = records.lazy().select(columns).with_columns(pl.col(*CODED).cast(pl.Categorical)).collect().get_columns()
    for i, column in enumerate(pieces):  # a column at a time: never every column twice
        pieces[i] = column.rechunk()
        del column
    return pl.DataFrame(pieces)


# What is read on of a scored entity pair: its pair of records, score, decision and the words its
# levels and hard rule give (``explain``); not the two records' 70 profile columns.
DECIDED = (
    "entity_l", "entity_r", "record_id_l", "record_id_r", "score", "bits", "corroborations", "refused", "decision",
    *(c.column for c in COMPARISONS),
)  # fmt: skip


def score_candidates(profile: pl.DataFrame, settings: LinkSettings, done=lambda stage: None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The candidate entity pairs (entity_l, entity_r) of ``profile``, and the best record pair,
    with its scores and decision (``decide``), of each one that links or is doubtful (a pair that
    does not is read no further: a person's 同一人 on it adds the link anew), sorted by entity pair.  ``done(stage)``
    is told when blocking and the pair features are done.

    The record pairs are built and scored a slice of entity pairs at a time (``PAIRS_AT_ONCE``
    record pairs at most, unless one entity pair has more): a pair's features read only its two
    records and their households' members, so the slices give the whole's decisions, and only one
    slice's pairs (76 columns each) are in memory at once."""
    candidates = candidate_pairs(profile)
    done("blocking")
    members = household_members(profile)
    # Only the candidates' records are read on (a slice's pairs are joined to them, and their
    # households' members to the pairs): a third of the records at 1,000,000 households.
    profile = profile.filter(pl.col("entity").is_in(pl.concat([candidates["entity_l"], candidates["entity_r"]]).implode()))
    members = members.join(profile.select(pl.col("household_key").drop_nulls().unique()), on="household_key", how="semi")
    decided = pl.concat(
        [
            decide(score_pairs(record_pairs(part, profile, members), settings), settings)
            .filter(pl.col("decision") != "none")
            .select(*DECIDED, method(settings).alias("match_method"))
            for part in pair_slices(candidates, profile, PAIRS_AT_ONCE)
        ]
    )
    done("features")
    return candidates.select("entity_l", "entity_r"), decided


def _score_here(held: list[pl.DataFrame | pl.LazyFrame], settings: LinkSettings, done) -> tuple[pl.DataFrame, pl.DataFrame]:
    if isinstance(held[-1], pl.LazyFrame):
        held.append(held.pop().collect())
    return score_candidates(held.pop(), settings, done)  # memory: score_candidates alone holds the profile


REVIEW_COLUMNS = ["record_id_l", "record_id_r", "score", "reasons"]


def _detached_review(profile, entities, conflicts, settings) -> pl.DataFrame:
    """Each detached record paired with a record of its ID's owner, scored on the record's own ID
    (``unlent_profiles``), with the reasons: the match_review rows of ``conflicts``.  ``profile``
    and ``entities`` may be lazy: only the pairs' records and their households are read."""
    if not conflicts.height:
        return pl.DataFrame(schema={"record_id_l": pl.Int64, "record_id_r": pl.Int64, "score": pl.Float64, "reasons": pl.Utf8})
    ids = pl.concat([conflicts["record_id_l"], conflicts["record_id_r"]])
    theirs = pl.col("record_id").is_in(ids.implode())
    rows = profile.lazy().filter(theirs).collect()
    homes = rows.select(pl.col("household_key").drop_nulls().unique()).lazy()
    households = profile.lazy().join(homes, on="household_key", how="semi").select("household_key", "name_pinyin_fuzzy").collect()
    own = entities.lazy().filter(theirs).select("record_id", *LENT, "valid").collect()
    pairs = score_pairs(pairs_of_records(conflicts, unlent_profiles(rows, own, ids), households=households), settings)
    return pairs.with_columns(reasons(settings).alias("reasons")).select(REVIEW_COLUMNS)


def _review(decided, split, detached, assignments, settings) -> pl.DataFrame:
    columns = REVIEW_COLUMNS
    uncertain = decided.filter(pl.col("decision") == "review").with_columns(pl.lit(None, pl.Utf8).alias("conflict"))
    fuzzy = pl.concat([uncertain, split.select(uncertain.columns)], how="diagonal_relaxed").with_columns(reasons(settings).alias("reasons"))
    person = assignments.select("record_id", "person_key")
    low, high = pl.min_horizontal("record_id_l", "record_id_r"), pl.max_horizontal("record_id_l", "record_id_r")
    rows = (
        pl.concat([detached.select(columns), fuzzy.select(columns)])
        .with_columns(low.alias("record_id_l"), high.alias("record_id_r"))
        .unique(["record_id_l", "record_id_r"], keep="first", maintain_order=True)
        .join(person.rename({"record_id": "record_id_l", "person_key": "_pl"}), on="record_id_l")
        .join(person.rename({"record_id": "record_id_r", "person_key": "_pr"}), on="record_id_r")
    )
    return rows.filter(pl.col("_pl") != pl.col("_pr")).select(columns).sort("record_id_l", "record_id_r")
