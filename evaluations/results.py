"""Aggregated results of evaluation cycles, with the privacy rules built in.

Everything is computed from tallies: how often each answer (0 = don't know, 1..5) was given to
each item by each role (``evaluations.tallies``). A closed cycle's tallies are stored
(``ItemTally``, written by ``tallies.tally_cycle`` when it closes), an open cycle's are counted
live in one aggregate query, so a dashboard runs a constant number of queries whatever the
history. Trends across cycles are ``evaluations.trends``.

Privacy:
1. A group (role) with fewer than ``EVALUATION_MIN_GROUP`` respondents shows no scores,
   distributions or comments ("fewer than 3 responses").
2. The overall figures minus the shown groups must not single out fewer than the minimum:
   while the hidden groups together are below it, the smallest shown group is hidden too
   (complementary suppression).
3. With fewer than the minimum in total, nothing is shown at all.
4. Open answers and comments are shown without names or roles, sorted alphabetically (not by
   time), and only from the groups that rules 1-3 show with the text threshold
   (``EVALUATION_MIN_GROUP_TEXT``, default 5) in place of the score threshold.
5. Figures appear once a cycle is closed: live figures of an open cycle would show, from one
   reload to the next, exactly what the latest respondent answered.
6. A change is computed only against an earlier cycle with at least the minimum respondents.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from elements.models import Element
from evaluations.models import (
    CycleStatus,
    ElementComment,
    EvaluationCycle,
    InstrumentVersion,
    Item,
    Response,
)
from evaluations.tallies import VALUES, Counts, _empty, mean, tallies_for
from werkplaats.models import Role


# --- Privacy ---------------------------------------------------------------------------------
def shown_roles(respondents: dict[str, int], minimum: int | None = None) -> set[str]:
    """The roles whose results may be shown (rules 1–3 of the module docstring)."""
    minimum = minimum or settings.EVALUATION_MIN_GROUP
    if sum(respondents.values()) < minimum:
        return set()
    shown = {role for role, n in respondents.items() if n >= minimum}
    hidden = sum(n for role, n in respondents.items() if role not in shown)
    # The total minus the shown groups must not single out fewer than ``minimum`` people.
    while shown and 0 < hidden < minimum:
        smallest = min(shown, key=lambda role: (respondents[role], role))
        shown.discard(smallest)
        hidden += respondents[smallest]
    return shown


OTHER = "other"


@dataclass
class ResearchGroups:
    """How the rows of a row-level export are labelled: ``labels`` maps each role whose rows
    are exported to its label (the role itself, or ``"other"``); the rows of every other role
    are left out, ``withheld`` says how many."""

    labels: dict[str, str]
    withheld: int


def research_groups(respondents: dict[str, int], minimum: int | None = None) -> ResearchGroups:
    """The privacy rule of row-level exports (one row per respondent), stricter than the
    dashboard's because a row carries one person's answers.

    1. Fewer than ``minimum`` respondents in the whole cycle: no rows at all.
    2. A role the dashboard shows on its own (``shown_roles``) keeps its label.
    3. The roles under the minimum are merged into "other" only when together they reach it;
       otherwise their rows are left out: "other" never holds a group big enough to be shown
       with a few people beside it whose rows could be picked out by their answers.
    4. A role of the minimum or more that the dashboard hides (complementary suppression) is
       left out too: its rows and the dashboard's total would give away the small group's
       figures by subtraction. So what is withheld is either nothing or at least ``minimum``.
    """
    minimum = minimum or settings.EVALUATION_MIN_GROUP
    total = sum(respondents.values())
    if total < minimum:
        return ResearchGroups(labels={}, withheld=total)
    labels = {role: role for role in shown_roles(respondents, minimum)}
    small = {role for role, n in respondents.items() if n < minimum}
    if sum(respondents[role] for role in small) >= minimum:
        labels.update(dict.fromkeys(small, OTHER))
    withheld = sum(n for role, n in respondents.items() if role not in labels)
    return ResearchGroups(labels=labels, withheld=withheld)


# --- One cycle -------------------------------------------------------------------------------
@dataclass
class Score:
    mean: float | None
    answered: int
    dont_know: int
    band: str = ""  # strength, discuss, concern

    @property
    def shown(self) -> bool:
        return self.mean is not None


@dataclass
class AspectResult:
    item: Item
    code: str
    score: Score
    counts: Counts
    delta: float | None = None
    reworded: bool = False  # the earlier version worded this statement differently: no change

    def percentages(self) -> list[float]:
        total = sum(self.counts)
        return [100 * c / total if total else 0 for c in self.counts]


@dataclass
class ElementResult:
    element: Element
    score: Score
    per_role: dict[str, Score | None]  # None: group hidden (fewer than the minimum)
    aspects: list[AspectResult]
    delta: float | None = None
    gap: float | None = None
    gap_roles: tuple[str, str] | None = None
    comments: list[str] = field(default_factory=list)
    compared: int = 0  # statements the change is computed on (worded the same in both versions)


@dataclass
class CycleResults:
    cycle: EvaluationCycle
    version: InstrumentVersion
    respondents: dict[str, int]
    invited: dict[str, int]
    roles: set[str]  # roles shown
    total: int
    visible: bool
    elements: list[ElementResult]
    went_well: list[str]
    could_be_better: list[str]
    previous: EvaluationCycle | None = None
    speaking: set[str] = field(default_factory=set)  # roles whose open answers are shown
    assisted: dict[str, int] = field(default_factory=dict)  # answered with help, shown roles
    # Against a previous cycle on another instrument version: the statements left out of every
    # change because their wording differs (or they are new), by code.
    not_compared: list[str] = field(default_factory=list)

    @property
    def version_changed(self) -> bool:
        return bool(self.previous and self.previous.instrument_version_id != self.version.pk)

    def rate(self, role: str) -> int | None:
        invited = self.invited.get(role, 0)
        return round(100 * self.respondents.get(role, 0) / invited) if invited else None

    def element(self, code: str) -> ElementResult | None:
        return next((e for e in self.elements if e.element.code == code), None)


def one_decimal(value: float | Decimal | None) -> Decimal | None:
    """A mean or a change as every page, export and sentence shows it: rounded half up to
    one decimal (3.95 is 4.0, 3.949 is 3.9, -0.05 is -0.1), never truncated. Through the
    shortest decimal text of the float, so 3.95 (stored as 3.9499999...) still rounds up."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def shown(value: float | Decimal | None) -> str:
    """``one_decimal`` in the active language's notation ("3,7" in Dutch): what Django's
    ``number_format(value, 1)`` gives for a score or a change (never a thousand), with the
    decimal separator read once instead of through the whole formatter (the overview shows
    600 of them)."""
    rounded = one_decimal(value)
    if rounded is None:
        return "—"
    if rounded == 0:
        rounded = abs(rounded)  # "-0.0" is shown as 0.0, as number_format does
    return str(rounded).replace(".", get_format("DECIMAL_SEPARATOR"))


def unchanged(delta: float | None) -> bool:
    """A change that shows as 0.0 is no change (never "↑ +0.0" or "↓ −0.0")."""
    return delta is not None and one_decimal(delta) == 0


def band(version: InstrumentVersion, value: float | None) -> str:
    """strength, discuss or concern, by the instrument version's thresholds."""
    return band_between(value, version.strength_from, version.concern_below)


def band_between(value: float | None, strength_from, concern_below) -> str:
    """Decided on the value as shown (one decimal, half up): "3,9" is never a strength
    from 4.0, and "4,0" always is."""
    if value is None:
        return ""
    rounded = one_decimal(value)
    if rounded >= Decimal(str(strength_from)):
        return "strength"
    if rounded < Decimal(str(concern_below)):
        return "concern"
    return "discuss"


def _score(version: InstrumentVersion, counts: Counts) -> Score:
    value = mean(counts)
    return Score(value, sum(counts[1:]), counts[0], band(version, value))


def item_code(item: Item) -> str:
    return item.aspect_id or item.element_id


def wording(item: Item) -> str:
    return " ".join(item.text_nl.split()).casefold()


def comparable(now: list[Item], before: list[Item]) -> dict[int, int]:
    """{item id now: item id before} for the statements both versions share: the same code
    (aspect, or element for an item without one) and the same wording. A reworded statement
    is not compared across the change, so no change is shown for it (issue 18)."""
    earlier = {item_code(item): item for item in before}
    pairs = {}
    for item in now:
        match = earlier.get(item_code(item))
        if match is not None and wording(match) == wording(item):
            pairs[item.pk] = match.pk
    return pairs


def previous_cycle(cycle: EvaluationCycle) -> EvaluationCycle | None:
    """The latest earlier closed cycle of the same kind with enough respondents to compare."""
    return (
        EvaluationCycle.objects.filter(
            workplace=cycle.workplace_id,
            kind=cycle.kind,
            opens_at__lt=cycle.opens_at,
            status=CycleStatus.CLOSED,
            respondent_count__gte=settings.EVALUATION_MIN_GROUP,
        )
        .select_related("instrument_version")
        .order_by("-opens_at")
        .first()
    )


class _Tallies:
    """(cycle, item) → {role: counts}: every sum of ``cycle_results`` reads this index."""

    def __init__(self, tallies: dict[tuple[int, str, int], Counts]):
        self.index: dict[tuple[int, int], dict[str, Counts]] = defaultdict(dict)
        for (cycle_id, role, item_id), value in tallies.items():
            self.index[(cycle_id, item_id)][role] = value

    def counts(self, cycle_id: int, item_ids, role: str | None = None) -> Counts:
        """The answers to these items in this cycle, of one role or of all."""
        summed = _empty()
        for item_id in item_ids:
            per_role = self.index.get((cycle_id, item_id))
            if not per_role:
                continue
            for value in [per_role.get(role)] if role else per_role.values():
                if value:
                    for v in VALUES:
                        summed[v] += value[v]
        return summed


@dataclass
class _Context:
    """What every element's result of one cycle is computed against."""

    cycle: EvaluationCycle
    version: InstrumentVersion
    previous: EvaluationCycle | None
    tallies: _Tallies
    pairs: dict[int, int]  # this version's item → the previous version's alike item
    respondents: dict[str, int]
    roles: set[str]  # the roles whose figures are shown
    visible: bool


def cycle_results(cycle: EvaluationCycle, *, with_open_answers: bool = True) -> CycleResults:
    """Everything the dashboard shows about one cycle and its change against the previous
    comparable cycle of the same kind, in a constant number of queries (about eight).

    Scores appear only for a closed cycle (rule 5); an open one shows its response only."""
    version = cycle.instrument_version
    by_role = list(
        Response.objects.filter(cycle=cycle, submitted_at__isnull=False)
        .values_list("role")
        .annotate(n=Count("pk"), helped=Count("pk", filter=Q(assisted=True)))
        .order_by()
    )
    respondents = {role: n for role, n, _helped in by_role}
    total = sum(respondents.values())
    visible = cycle.status == CycleStatus.CLOSED and total >= settings.EVALUATION_MIN_GROUP
    roles = shown_roles(respondents) if visible else set()
    previous = previous_cycle(cycle) if visible else None
    items, before = _items(version, previous)
    ids = [cycle.pk] + ([previous.pk] if previous else [])
    context = _Context(
        cycle=cycle,
        version=version,
        previous=previous,
        tallies=_Tallies(tallies_for(ids, set(ids)) if visible else {}),
        pairs=comparable(items, before) if previous else {},
        respondents=respondents,
        roles=roles,
        visible=visible,
    )
    # Open answers have their own, higher threshold and the same subtraction guard (rule 4).
    speaking = shown_roles(respondents, settings.EVALUATION_MIN_GROUP_TEXT) if visible else set()
    comments, went_well, could_be_better = (
        _open_answers(cycle, speaking) if speaking and with_open_answers else ({}, [], [])
    )
    by_element: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_element[item.element_id].append(item)
    ordered = sorted(by_element.items(), key=lambda pair: pair[1][0].element.order)
    return CycleResults(
        cycle=cycle,
        version=version,
        respondents=respondents,
        invited=dict(cycle.invitations.values_list("role").annotate(n=Count("pk")).order_by()),
        roles=roles,
        total=total,
        visible=visible,
        elements=[
            _element_result(context, here, sorted(comments.get(code, []))) for code, here in ordered
        ],
        went_well=sorted(went_well),
        could_be_better=sorted(could_be_better),
        previous=previous,
        speaking=speaking,
        # How many answered with help, only for the groups whose figures are shown (issue 18).
        assisted={role: helped for role, _n, helped in by_role if role in roles},
        not_compared=[
            item_code(item) for item in items if previous and item.pk not in context.pairs
        ],
    )


def _items(version, previous: EvaluationCycle | None) -> tuple[list[Item], list[Item]]:
    """The items of this cycle's version and of the previous cycle's (empty without one), in
    one query either way; changes compare like with like, statements worded the same."""
    versions = {version.pk} | ({previous.instrument_version_id} if previous else set())
    every = list(Item.objects.filter(version__in=versions).select_related("element", "aspect"))
    items = [item for item in every if item.version_id == version.pk]
    before = [
        item for item in every if previous and item.version_id == previous.instrument_version_id
    ]
    return items, before


def _open_answers(cycle: EvaluationCycle, speaking: set[str]):
    """The comments per element and the two open questions' answers, of the groups the text
    threshold shows only (a lone manager's words identify the manager)."""
    comments: dict[str, list[str]] = defaultdict(list)
    went_well: list[str] = []
    could_be_better: list[str] = []
    answered = Response.objects.filter(cycle=cycle, submitted_at__isnull=False, role__in=speaking)
    for element, text in (
        ElementComment.objects.filter(response__in=answered)
        .exclude(text="")
        .values_list("element", "text")
    ):
        comments[element].append(text)
    for well, better in answered.values_list("went_well", "could_be_better"):
        if well:
            went_well.append(well)
        if better:
            could_be_better.append(better)
    return comments, went_well, could_be_better


def _element_result(context: _Context, items: list[Item], comments: list[str]) -> ElementResult:
    """One element: its score overall and per shown role, its statements weakest first, its
    change against the previous cycle (alike statements only) and its widest role gap."""
    c = context
    ids_here = [item.pk for item in items]
    overall = (
        _score(c.version, c.tallies.counts(c.cycle.pk, ids_here))
        if c.visible
        else Score(None, 0, 0)
    )
    per_role = {
        role.value: _score(c.version, c.tallies.counts(c.cycle.pk, ids_here, role.value))
        if role.value in c.roles
        else None
        for role in Role
        if c.respondents.get(role.value)
    }
    result = ElementResult(
        element=items[0].element,
        score=overall,
        per_role=per_role,
        aspects=sorted(
            (_aspect_result(c, item) for item in items),
            key=lambda a: (a.score.mean is None, a.score.mean or 0),  # weakest first
        ),
        comments=comments,
    )
    shared = [item.pk for item in items if item.pk in c.pairs]
    result.compared = len(shared)
    if c.previous and overall.mean is not None and shared:
        now = mean(c.tallies.counts(c.cycle.pk, shared))
        before = mean(c.tallies.counts(c.previous.pk, [c.pairs[pk] for pk in shared]))
        result.delta = None if now is None or before is None else now - before
    role_means = {r: s.mean for r, s in per_role.items() if s is not None and s.mean is not None}
    if len(role_means) >= 2:
        high = max(role_means, key=role_means.get)
        low = min(role_means, key=role_means.get)
        result.gap = role_means[high] - role_means[low]
        result.gap_roles = (high, low)
    return result


def _aspect_result(c: _Context, item: Item) -> AspectResult:
    """One statement: its score and distribution, and its change when worded alike before."""
    item_counts = c.tallies.counts(c.cycle.pk, [item.pk]) if c.visible else _empty()
    result = AspectResult(item, item_code(item), _score(c.version, item_counts), item_counts)
    if c.previous and item.pk not in c.pairs:
        result.reworded = True
    elif c.previous and result.score.mean is not None:
        before = mean(c.tallies.counts(c.previous.pk, [c.pairs[item.pk]]))
        result.delta = None if before is None else result.score.mean - before
    return result


def summary(results: CycleResults) -> list[str]:
    """A few plain sentences computed from the results: strongest and weakest element, the
    biggest change, the largest role gap, the group that responded least."""
    lines: list[str] = []
    scored = [e for e in results.elements if e.score.mean is not None]
    if scored:
        best = max(scored, key=lambda e: e.score.mean)
        worst = min(scored, key=lambda e: e.score.mean)
        lines.append(
            _("Strongest element: %(element)s (%(score)s); weakest: %(weak)s (%(weak_score)s).")
            % {
                "element": best.element.name,
                "score": shown(best.score.mean),
                "weak": worst.element.name,
                "weak_score": shown(worst.score.mean),
            }
        )
    change = _change_sentence(results, scored)
    if change:
        lines.append(change)
    gaps = [e for e in scored if e.gap is not None]
    if gaps:
        widest = max(gaps, key=lambda e: e.gap)
        high, low = widest.gap_roles
        lines.append(
            _(
                "Largest difference between groups: %(element)s, %(high)s %(high_score)s "
                "against %(low)s %(low_score)s."
            )
            % {
                "element": widest.element.name,
                "high": Role(high).label,
                "high_score": shown(widest.per_role[high].mean),
                "low": Role(low).label,
                "low_score": shown(widest.per_role[low].mean),
            }
        )
    rates = {role: results.rate(role) for role in results.invited}
    rates = {role: rate for role, rate in rates.items() if rate is not None}
    if rates:
        lowest = min(rates, key=lambda role: (rates[role], role))
        lines.append(
            _("Lowest response: %(role)s (%(rate)s%%).")
            % {"role": Role(lowest).label, "rate": rates[lowest]}
        )
    return lines


def _change_sentence(results: CycleResults, scored: list[ElementResult]) -> str | None:
    """The biggest change since the previous cycle, or that none changed, or that there is
    nothing to compare with."""
    changed = [e for e in scored if e.delta is not None]
    if changed and all(unchanged(e.delta) for e in changed):
        return _("Since %(label)s no element changed by 0.1 or more.") % {
            "label": results.previous.label
        }
    if changed:
        biggest = max(changed, key=lambda e: abs(e.delta))
        text = (
            _("Biggest change since %(label)s: %(element)s went up by %(delta)s.")
            if biggest.delta >= 0
            else _("Biggest change since %(label)s: %(element)s went down by %(delta)s.")
        )
        return text % {
            "label": results.previous.label,
            "element": biggest.element.name,
            "delta": shown(abs(biggest.delta)),
        }
    if scored:
        return _("There is no earlier cycle of this kind to compare with.")
    return None


def to_discuss(results: CycleResults) -> list[dict]:
    """The two or three elements a meeting should start with: the weakest, the one with the
    largest gap between groups, and the one that changed most (each once; a change that
    shows as 0.0 is none). [{"result": ElementResult, "why": text}]."""
    scored = [e for e in results.elements if e.score.mean is not None]
    picks: list[dict] = []

    def add(result: ElementResult | None, why: str) -> None:
        if result is not None and all(p["result"] is not result for p in picks):
            picks.append({"result": result, "why": why})

    if scored:
        weakest = min(scored, key=lambda e: (one_decimal(e.score.mean), e.element.order))
        add(weakest, _("the lowest score"))
    gaps = [e for e in scored if e.gap is not None and one_decimal(e.gap) > 0]
    if gaps:
        widest = max(gaps, key=lambda e: e.gap)
        high, low = widest.gap_roles
        add(
            widest,
            _("the largest difference between groups (%(high)s and %(low)s)")
            % {"high": Role(high).label, "low": Role(low).label},
        )
    changed = [e for e in scored if e.delta is not None and not unchanged(e.delta)]
    if changed:
        biggest = max(changed, key=lambda e: abs(e.delta))
        add(biggest, _("the largest change") + f" ({'+' if biggest.delta > 0 else '−'}"
            f"{shown(abs(biggest.delta))})")  # fmt: skip
    return picks


def _normalised(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())


def _alike(a: str, b: str, similar: float) -> bool:
    """difflib's ratio, after its cheap upper bounds (most pairs differ in length already)."""
    from difflib import SequenceMatcher

    matcher = SequenceMatcher(None, a, b)
    return (
        matcher.real_quick_ratio() >= similar
        and matcher.quick_ratio() >= similar
        and matcher.ratio() >= similar
    )


def group_answers(texts: list[str], similar: float = 0.9) -> list[tuple[str, int]]:
    """Open answers with identical and near-identical ones counted once ("Fijne sfeer" and
    "fijne sfeer!" are one answer given twice): [(text, count)], most given first, then in
    alphabetical order. Near-identical: the same after case and punctuation, or at least
    ``similar`` alike (difflib) — a typo, not another opinion."""
    groups: list[list] = []  # [text shown, normalised, count]
    for text in sorted(texts):
        norm = _normalised(text)
        for group in groups:
            if group[1] == norm or (norm and _alike(group[1], norm, similar)):
                group[2] += 1
                break
        else:
            groups.append([text, norm, 1])
    return sorted(((g[0], g[2]) for g in groups), key=lambda g: (-g[1], g[0]))


# --- The cache of a closed cycle's rendered results ------------------------------------------
def results_cache_key(cycle_id: int, language: str) -> str:
    """One entry per cycle and language, so anonymisation can drop it (the entry holds a
    fingerprint of what the results were rendered against, checked on every read)."""
    return f"dashboard:{cycle_id}:{language}"


def forget_cached_results(cycle_ids) -> None:
    """Drop the rendered results of these cycles (their open answers changed: erasure,
    retention), in every language."""
    cache.delete_many(
        [results_cache_key(pk, code) for pk in cycle_ids for code, _name in settings.LANGUAGES]
    )
