import io
import math
from datetime import timedelta

import numpy
import pytz

from odoo import api, fields, models
from odoo.tools import SQL

EARTH_RADIUS_KM = 6371.0088
SLOTS_PER_DAY = 48  # half hours
WEEK_SLOTS = 7 * SLOTS_PER_DAY
# working memory of the ranking queries (per sort or hash)
WORK_MEM = "64MB"
GENERATION_CODES = {"youth": 1, "adult": 2, "elder": 3}
FACTORS = ("skill", "availability", "distance", "reliability", "fairness", "generation")
# disputes that count against a member: all but those found groundless
DISPUTE_STATES = ("new", "review", "mediation", "resolved", "escalated")
# numpy types of the columns read from PostgreSQL's binary COPY format
COPY_TYPES = {"int": ">i4", "float": ">f8", "bool": "?"}
SQL_TYPES = {"int": "int4", "float": "float8", "bool": "bool"}
# the features loaded from SQL, as they come
FEATURE_COLUMNS = (
    ("id", "int"),
    ("partner_id", "int"),
    ("x", "float"),
    ("y", "float"),
    ("z", "float"),
    ("has_place", "bool"),
    ("has_check", "bool"),
    ("generation", "int"),
    ("radius", "float"),
    ("completion", "float"),
    ("confirmation", "float"),
    ("disputes", "int"),
    ("reliability", "float"),
    ("recent", "int"),
    ("fairness", "float"),
)


def week_slots(windows, tz_name):
    """The half hours of the week that ``windows`` cover, Monday 00:00 being 0.

    :param windows: [(start, end)] naive UTC datetimes
    :param tz_name: time zone of the weekly availabilities
    :return: sorted list of slot numbers (0 to ``WEEK_SLOTS`` - 1)
    """
    slots = set()
    tz = pytz.timezone(tz_name or "UTC")
    for start, end in windows:
        local = pytz.utc.localize(start).astimezone(tz).replace(tzinfo=None)
        local_end = pytz.utc.localize(end).astimezone(tz).replace(tzinfo=None)
        # a window of a week or more covers every half hour
        if local_end - local >= timedelta(days=7):
            return list(range(WEEK_SLOTS))
        slot = local.replace(
            minute=local.minute - local.minute % 30, second=0, microsecond=0
        )
        while slot < local_end:
            slots.add(
                slot.weekday() * SLOTS_PER_DAY + slot.hour * 2 + slot.minute // 30
            )
            slot += timedelta(minutes=30)
    return sorted(slots)


def unit_vector(latitude, longitude):
    """The point on the unit sphere, for distances by the chord between points."""
    lat, lon = math.radians(latitude or 0.0), math.radians(longitude or 0.0)
    return (
        math.cos(lat) * math.cos(lon),
        math.cos(lat) * math.sin(lon),
        math.sin(lat),
    )


class TimebankMatchingEngine(models.AbstractModel):
    _name = "timebank.matching.engine"
    _description = "Time Bank Matching Engine"

    @api.model
    def _dispute_counts(self, company):
        """{member id: disputes about the member} in ``company``.

        Empty when the cooperative addon (disputes) is not installed.
        """
        if "timebank.dispute" not in self.env:
            return {}
        groups = (
            self.env["timebank.dispute"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "=", company.id),
                    ("member_id", "!=", False),
                    ("state", "in", DISPUTE_STATES),
                ],
                ["member_id"],
                ["__count"],
            )
        )
        return {member.id: count for member, count in groups}

    @api.model
    def _allowed_members(self, company, requests):
        """Hard filters that addons add to the engine's own: for each request
        of ``requests`` (all of ``company``) whose candidates are restricted,
        the ids of the only members who may be ranked.

        A request absent from the result is not restricted; one mapped to an
        empty set has no candidate. An override combines its restrictions
        with those of ``super()`` (see ``_restrict``), and
        ``timebank.request._provider_refusals`` refuses the same members when
        one claims, is assigned or is booked.

        :return: {request id: set of member ids}
        """
        return {}

    @api.model
    def _restrict(self, allowed, more):
        """``allowed`` further restricted by ``more`` (both as returned by
        ``_allowed_members``): a request restricted by both keeps the members
        both allow."""
        result = dict(allowed)
        for request_id, members in more.items():
            members = set(members)
            result[request_id] = (
                result[request_id] & members if request_id in result else members
            )
        return result

    @api.model
    def _features_sql(self, company):
        """Candidate features of every active member of ``company``, as CTEs.

        ``features``: id, partner_id, x, y, z (unit vector of the place, stored
        on the member), has_place, has_check, generation (worked out from the
        birth date kept on the member, for ``today``: a code of
        ``GENERATION_CODES``, 0 when unknown), radius, completion,
        confirmation, disputes, rated, satisfaction (of the ratings the
        volunteer received, smoothed like completion), reliability, recent,
        fairness;
        ``offers``: the published offers (id, member_id, partner_id, item_id,
        travel_radius_km);
        ``member_skills``: (member_id, skill_id), from the person and the offers
        (a pair may repeat);
        ``half_hours``: (member_id, first, stop), the weekly availability of the
        person and the offers in half hours of the week.
        """
        today = fields.Date.context_today(self)
        bounds = company._timebank_generation_birthdates(today)
        since = fields.Datetime.now() - timedelta(days=company.timebank_fairness_days)
        disputes = self._dispute_counts(company)
        return SQL(
            """
            members AS (
                SELECT m.id, m.partner_id,
                       COALESCE(m.matching_x, 0) AS x,
                       COALESCE(m.matching_y, 0) AS y,
                       COALESCE(m.matching_z, 0) AS z,
                       COALESCE(m.matching_x != 0 OR m.matching_y != 0
                        OR m.matching_z != 0, FALSE) AS has_place,
                       COALESCE(m.background_check_date <= %(today)s
                        AND (m.background_check_expiry IS NULL
                             OR m.background_check_expiry >= %(today)s), FALSE)
                           AS has_check,
                       CASE WHEN m.matching_birthdate IS NULL THEN 0
                            WHEN m.matching_birthdate > %(adult_from)s THEN %(youth)s
                            WHEN m.matching_birthdate > %(elder_from)s THEN %(adult)s
                            ELSE %(elder)s END AS generation
                  FROM timebank_member m
                 WHERE m.company_id = %(company)s AND m.state = 'active'
            ),
            offers AS (
                SELECT o.id, o.member_id, m.partner_id, o.item_id,
                       o.travel_radius_km
                  FROM timebank_offer o
                  JOIN timebank_member m ON m.id = o.member_id
                 WHERE o.state = 'published'
                   AND m.company_id = %(company)s AND m.state = 'active'
            ),
            member_skills AS (
                SELECT m.id AS member_id, r.skill_id
                  FROM timebank_member m
                  JOIN res_partner_timebank_skill_rel r ON r.partner_id = m.partner_id
                 WHERE m.company_id = %(company)s AND m.state = 'active'
                 UNION ALL
                SELECT o.member_id, r.skill_id
                  FROM offers o
                  JOIN timebank_offer_skill_rel r ON r.offer_id = o.id
            ),
            slots AS (
                SELECT m.id AS member_id, a.weekday::int AS weekday,
                       a.hour_from, a.hour_to
                  FROM timebank_member m
                  JOIN timebank_availability a ON a.partner_id = m.partner_id
                 WHERE m.company_id = %(company)s AND m.state = 'active'
                 UNION ALL
                SELECT o.member_id, s.weekday::int, s.hour_from, s.hour_to
                  FROM offers o
                  JOIN timebank_offer_slot s ON s.offer_id = o.id
            ),
            half_hours AS (
                SELECT member_id, weekday,
                       weekday * 48 + floor(hour_from * 2)::int AS first,
                       weekday * 48 + ceil(hour_to * 2)::int AS stop
                  FROM slots
                 WHERE hour_to > hour_from
            ),
            tasks AS (
                SELECT provider_id AS member_id,
                       count(*) FILTER (WHERE state = 'done') AS done,
                       count(*) FILTER (WHERE missed) AS missed,
                       count(*) FILTER (WHERE state IN ('claimed', 'assigned', 'done')
                                        AND date_assigned >= %(since)s) AS recent
                  FROM timebank_request
                 WHERE company_id = %(company)s AND provider_id IS NOT NULL
                 GROUP BY provider_id
            ),
            services AS (
                SELECT provider_id AS member_id,
                       count(*) FILTER (WHERE state IN ('confirmed', 'verified',
                                                        'posted')) AS confirmed,
                       count(*) FILTER (WHERE state IN ('submitted', 'confirmed',
                                                        'verified', 'posted',
                                                        'rejected')) AS submitted,
                       count(*) FILTER (WHERE state != 'cancelled'
                                        AND date_start >= %(since)s) AS recent
                  FROM timebank_exchange
                 WHERE company_id = %(company)s
                 GROUP BY provider_id
            ),
            disputes AS (
                SELECT * FROM unnest(%(dispute_members)s::int[],
                                     %(dispute_counts)s::int[]) AS d(member_id, n)
            ),
            ratings AS (
                -- what the persons helped said of the volunteer: 1 to 5 as 0 to 1
                SELECT rated_id AS member_id, count(*) AS rated,
                       sum(score_value - 1) / 4.0 AS rating
                  FROM timebank_rating
                 WHERE company_id = %(company)s AND direction = 'service'
                 GROUP BY rated_id
            ),
            history AS (
                -- one row per member with a past or offers: one join, not four
                SELECT member_id,
                       sum(done) AS done, sum(missed) AS missed,
                       sum(confirmed) AS confirmed, sum(submitted) AS submitted,
                       sum(disputes) AS disputes, sum(recent) AS recent,
                       sum(rated) AS rated, sum(rating) AS rating,
                       CASE WHEN bool_or(no_radius) THEN 0.0
                            ELSE max(radius) END::float8 AS radius
                  FROM (
                    SELECT member_id, done::int, missed::int, 0 AS confirmed,
                           0 AS submitted, 0 AS disputes, recent::int,
                           0 AS rated, 0.0::float8 AS rating,
                           NULL::bool AS no_radius,
                           NULL::float8 AS radius
                      FROM tasks
                     UNION ALL
                    SELECT member_id, 0, 0, confirmed::int, submitted::int, 0,
                           recent::int, 0, 0.0, NULL, NULL
                      FROM services
                     UNION ALL
                    SELECT member_id, 0, 0, 0, 0, n, 0, 0, 0.0, NULL, NULL
                      FROM disputes
                     UNION ALL
                    SELECT member_id, 0, 0, 0, 0, 0, 0, rated::int, rating::float8,
                           NULL, NULL
                      FROM ratings
                     UNION ALL
                    SELECT member_id, 0, 0, 0, 0, 0, 0, 0, 0.0,
                           COALESCE(travel_radius_km, 0) = 0, travel_radius_km
                      FROM offers
                  ) AS past
                 GROUP BY member_id
            ),
            features AS (
                SELECT h.*,
                       -- the ratings count once there are some, as a third
                       -- share beside completion and confirmation
                       CASE WHEN h.rated = 0
                            THEN (h.completion + h.confirmation) / 2
                            ELSE (h.completion + h.confirmation + h.satisfaction) / 3
                       END / (1 + h.disputes) AS reliability,
                       1.0::float8 / (1 + h.recent) AS fairness
                  FROM (
                    SELECT m.id, m.partner_id, m.x, m.y, m.z, m.has_place,
                           m.has_check, m.generation,
                           COALESCE(o.radius, 0.0) AS radius,
                           (COALESCE(o.done, 0) + 1)::float8
                           / (COALESCE(o.done, 0) + COALESCE(o.missed, 0) + 2)
                               AS completion,
                           (COALESCE(o.confirmed, 0) + 1)::float8
                           / (COALESCE(o.submitted, 0) + 2) AS confirmation,
                           COALESCE(o.disputes, 0)::int AS disputes,
                           COALESCE(o.recent, 0)::int AS recent,
                           COALESCE(o.rated, 0) AS rated,
                           (COALESCE(o.rating, 0) + 1)::float8
                           / (COALESCE(o.rated, 0) + 2) AS satisfaction
                      FROM members m
                      LEFT JOIN history o ON o.member_id = m.id
                  ) h
            )
            """,
            today=today,
            adult_from=bounds["youth"][0],
            elder_from=bounds["adult"][0],
            company=company.id,
            since=since,
            dispute_members=list(disputes),
            dispute_counts=list(disputes.values()),
            **GENERATION_CODES,
        )

    @api.model
    def _rank(self, requests, limit):
        """The ``limit`` best candidates of each request, best first.

        One scoring path, whether one request or a thousand are ranked: the
        features of the members of each bank are loaded from SQL once for all
        its requests (``_load_features``, one query) and every request is
        scored against them by ``_score``.

        :return: {request: [row dict with member_id, score and the factors]}
        """
        result = {request: [] for request in requests}
        if not requests:
            return result
        for model in (
            "timebank.member",
            "res.partner",
            "timebank.availability",
            "timebank.offer",
            "timebank.offer.slot",
            "timebank.request",
            "timebank.exchange",
            "timebank.rating",
        ):
            self.env[model].flush_model()
        for company in requests.company_id:
            batch = requests.filtered(lambda r, c=company: r.company_id == c)
            params = self._request_params(batch)
            features = self._load_features(
                company,
                skill_ids={skill for skills in params["skills"] for skill in skills},
                weekdays={
                    slot // SLOTS_PER_DAY for slots in params["slots"] for slot in slots
                },
            )
            allowed = self._allowed_members(company, batch)
            for row in self._score(company, features, params, allowed, limit):
                result[requests.browse(row["request_id"])].append(row)
        return result

    @api.model
    def _request_params(self, requests):
        """The requests' parameters, one list element per request."""
        params = {
            key: []
            for key in (
                "ids",
                "members",
                "partners",
                "items",
                "checks",
                "skills",
                "slots",
                "xs",
                "ys",
                "zs",
                "places",
                "generations",
            )
        }
        for request in requests.sudo():
            latitude, longitude = request.address_latitude, request.address_longitude
            x, y, z = unit_vector(latitude, longitude)
            params["ids"].append(request.id)
            params["members"].append(request.member_id.id)
            params["partners"].append(request.member_id.partner_id.id)
            params["items"].append(request.item_id.id or 0)
            params["checks"].append(request.item_id.requires_background_check)
            params["skills"].append(request.skill_ids.ids)
            params["slots"].append(
                week_slots(
                    [(w.date_from, w.date_to) for w in request.window_ids], request.tz
                )
            )
            params["xs"].append(x)
            params["ys"].append(y)
            params["zs"].append(z)
            params["places"].append(bool(latitude or longitude))
            params["generations"].append(request.member_id.generation or None)
        return params

    @api.model
    def _copy(self, query, columns):
        """The rows of ``query`` as one numpy array per column, through a
        binary ``COPY``: numpy reads PostgreSQL's binary rows as they are (no
        text, no Python object per value). Run without JIT (the row estimates
        of the features are far too high, and compiling costs more than it
        saves) and with enough working memory to keep a large bank out of
        temporary files.

        :param columns: [(name, type)] of the rows, type in ``COPY_TYPES``;
            the columns hold no NULL
        :return: {name: array}
        """
        np = numpy
        dtype = np.dtype(
            [("fields", ">i2")]
            + [
                item
                for name, kind in columns
                for item in ((f"{name}_length", ">i4"), (name, COPY_TYPES[kind]))
            ]
        )
        cr = self.env.cr
        buffer = io.BytesIO()
        cr.execute(SQL("SET LOCAL jit = off"))
        cr.execute(SQL("SET LOCAL work_mem = %s", WORK_MEM))
        query = SQL(
            "SELECT %s FROM (%s) AS copied",
            SQL(", ").join(
                SQL("%s::%s", SQL.identifier(name), SQL(SQL_TYPES[kind]))
                for name, kind in columns
            ),
            query,
        )
        statement = cr.mogrify(query.code, query.params).decode()
        cr.copy_expert(f"COPY ({statement}) TO STDOUT WITH (FORMAT binary)", buffer)
        cr.execute(SQL("SET LOCAL jit TO DEFAULT"))
        cr.execute(SQL("SET LOCAL work_mem TO DEFAULT"))
        data = buffer.getbuffer()
        # a header of 19 bytes (no extension) and a trailer of 2
        rows = np.frombuffer(
            data, dtype=dtype, offset=19, count=(len(data) - 21) // dtype.itemsize
        )
        return {
            name: rows[name].astype(rows[name].dtype.newbyteorder("="))
            for name, _kind in columns
        }

    @api.model
    def _load_features(self, company, skill_ids=None, weekdays=None):
        """The features of every candidate of ``company`` as numpy arrays.

        Four binary ``COPY`` of the features, skills, half hours and offers,
        so that a bank of 100,000 members loads in a fraction of a second.

        :param skill_ids: only these skills are loaded (those the requests
            need), all when None
        :param weekdays: only the half hours of these days of the week (0 is
            Monday) are loaded, all when None
        :return: dict of arrays by member, ordered by member id (the columns
            of ``FEATURE_COLUMNS``, ``xyz`` of shape (3, members)); ``skills``
            (members x skills, bool) with ``skill_index`` {skill id: column};
            ``avail`` (members x half hours of the week, bool); ``offer_rows``
            and ``offer_items`` (member index and item of each published
            offer of an item)
        """
        np = numpy
        features_sql = self._features_sql(company)
        features = self._copy(
            SQL("WITH %s SELECT * FROM features", features_sql),
            FEATURE_COLUMNS,
        )
        order = np.argsort(features["id"], kind="stable")
        features = {name: values[order] for name, values in features.items()}
        skill_rows = self._copy(
            SQL(
                "WITH %s SELECT member_id, skill_id FROM member_skills %s",
                features_sql,
                SQL("WHERE skill_id = ANY(%s)", list(skill_ids))
                if skill_ids is not None
                else SQL(),
            ),
            (("member_id", "int"), ("skill_id", "int")),
        )
        hour_rows = self._copy(
            SQL(
                "WITH %s SELECT member_id, first, stop FROM half_hours %s",
                features_sql,
                SQL("WHERE weekday = ANY(%s)", list(weekdays))
                if weekdays is not None
                else SQL(),
            ),
            (("member_id", "int"), ("first", "int"), ("stop", "int")),
        )
        offer_rows = self._copy(
            SQL(
                "WITH %s SELECT member_id, item_id FROM offers "
                "WHERE item_id IS NOT NULL",
                features_sql,
            ),
            (("member_id", "int"), ("item_id", "int")),
        )
        ids = features["id"]
        count = len(ids)
        features["xyz"] = np.stack([features.pop(axis) for axis in "xyz"])
        skill_index, skill_columns = np.unique(
            skill_rows["skill_id"], return_inverse=True
        )
        skills = np.zeros((count, len(skill_index)), dtype=bool)
        skills[np.searchsorted(ids, skill_rows["member_id"]), skill_columns] = True
        first = hour_rows["first"].astype(np.int64)
        lengths = hour_rows["stop"] - first
        avail = np.zeros((count, WEEK_SLOTS), dtype=bool)
        rows_of = np.repeat(np.searchsorted(ids, hour_rows["member_id"]), lengths)
        starts = np.repeat(first - np.cumsum(lengths) + lengths, lengths)
        avail[rows_of, starts + np.arange(lengths.sum())] = True
        features.update(
            skills=skills,
            skill_index={int(skill): index for index, skill in enumerate(skill_index)},
            avail=avail,
            offer_rows=np.searchsorted(ids, offer_rows["member_id"]),
            offer_items=offer_rows["item_id"],
        )
        return features

    @api.model
    def _score(self, company, features, params, allowed, limit):
        """Score the requests of ``params`` (``_request_params``) against the
        ``features`` of the members of ``company`` (``_load_features``): the
        hard filters, the factors and the ``limit`` best candidates of each.

        :param allowed: the restricted requests (``_allowed_members``)
        :return: [row dict], best first by request
        """
        np = numpy
        weights = company._timebank_weights()
        total = sum(weights.values()) or 1
        scale = company.timebank_distance_scale_km
        ids = features["id"]
        count = len(ids)
        generations = {value: key for key, value in GENERATION_CODES.items()}
        rows = []
        for index, request_id in enumerate(params["ids"]):
            mask = (ids != params["members"][index]) & (
                features["partner_id"] != params["partners"][index]
            )
            if params["checks"][index]:
                mask &= features["has_check"]
            if request_id in allowed:
                mask &= np.isin(ids, np.fromiter(allowed[request_id], dtype=np.int64))
            offered = np.zeros(count, dtype=bool)
            offered[
                features["offer_rows"][
                    features["offer_items"] == params["items"][index]
                ]
            ] = True
            wanted = params["skills"][index]
            present = [
                features["skill_index"][skill]
                for skill in wanted
                if skill in features["skill_index"]
            ]
            matched = features["skills"][:, present].sum(axis=1)
            if wanted:
                skill = np.where(offered, 1.0, matched / len(wanted))
            else:
                skill = np.ones(count)
            slots = params["slots"][index]
            if slots:
                availability = features["avail"][:, slots].sum(axis=1) / len(slots)
            else:
                availability = np.ones(count)
            point = np.array(
                [params["xs"][index], params["ys"][index], params["zs"][index]]
            )
            # haversine, from the chord between the unit vectors
            chord = np.sqrt(((features["xyz"] - point[:, None]) ** 2).sum(axis=0))
            km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, chord / 2))
            placed = features["has_place"] & params["places"][index]
            km = np.where(placed, km, np.nan)
            radius = features["radius"]
            mask &= (radius == 0) | ~placed | (km <= radius)
            distance = np.where(placed, 1.0 / (1.0 + km / scale), 0.0)
            wanted_generation = GENERATION_CODES.get(params["generations"][index], 0)
            if wanted_generation:
                generation = np.where(
                    features["generation"] == 0,
                    0.5,
                    (features["generation"] != wanted_generation).astype(float),
                )
            else:
                generation = np.full(count, 0.5)
            factors = {
                "skill": skill,
                "availability": availability,
                "distance": distance,
                "reliability": features["reliability"],
                "fairness": features["fairness"],
                "generation": generation,
            }
            score = (
                sum(weights[factor] * factors[factor] for factor in FACTORS)
                * 100.0
                / total
            )
            candidates = np.flatnonzero(mask)
            if len(candidates) > limit:
                # only those that can make the top: the best ``limit`` scores
                # and every candidate tied with the last of them
                threshold = np.partition(score[candidates], -limit)[-limit]
                candidates = candidates[score[candidates] >= threshold]
            # best score, then nearest (unknown distance last), then member id
            order = np.lexsort(
                (
                    ids[candidates],
                    np.nan_to_num(km[candidates], nan=np.inf),
                    -score[candidates],
                )
            )
            for member in candidates[order[:limit]]:
                rows.append(
                    {
                        "request_id": request_id,
                        "member_id": int(ids[member]),
                        "score": float(score[member]),
                        "skills_matched": int(matched[member]),
                        "skills_needed": len(wanted),
                        "offered": bool(offered[member]),
                        "distance_km": None
                        if np.isnan(km[member])
                        else float(km[member]),
                        "candidate_generation": generations.get(
                            int(features["generation"][member])
                        ),
                        "completion": float(features["completion"][member]),
                        "confirmation": float(features["confirmation"][member]),
                        "recent": int(features["recent"][member]),
                        "disputes": int(features["disputes"][member]),
                        **{
                            factor: float(values[member])
                            for factor, values in factors.items()
                        },
                    }
                )
        return rows

    @api.model
    def _explain(self, row, company):
        """One line per factor: what the candidate brings and what it weighs."""
        weights = company._timebank_weights()
        total = sum(weights.values()) or 1

        def points(factor):
            return row[factor] * weights[factor] * 100.0 / total

        if row["offered"]:
            skill = self.env._("offers this service")
        elif not row["skills_needed"]:
            skill = self.env._("no particular skill needed")
        else:
            skill = self.env._(
                "%(count)s of %(needed)s skill(s) needed",
                count=row["skills_matched"],
                needed=row["skills_needed"],
            )
        if row["distance_km"] is None:
            distance = self.env._("no coordinates: unknown distance")
        else:
            distance = self.env._("%(km).1f km away", km=row["distance_km"])
        generations = dict(
            self.env["res.partner"]
            ._fields["timebank_generation"]
            ._description_selection(self.env)
        )
        generation = generations.get(row["candidate_generation"]) or self.env._(
            "unknown age"
        )
        lines = [
            (self.env._("Skill fit"), row["skill"], skill),
            (
                self.env._("Availability"),
                row["availability"],
                self.env._(
                    "%(percent)d%% of the preferred time",
                    percent=row["availability"] * 100,
                ),
            ),
            (self.env._("Distance"), row["distance"], distance),
            (
                self.env._("Reliability"),
                row["reliability"],
                self.env._(
                    "completion %(completion)d%%, confirmed services "
                    "%(confirmation)d%%, %(disputes)s dispute(s)",
                    completion=row["completion"] * 100,
                    confirmation=row["confirmation"] * 100,
                    disputes=row["disputes"],
                ),
            ),
            (
                self.env._("Fairness"),
                row["fairness"],
                self.env._(
                    "%(count)s recent task(s) or service(s)", count=row["recent"]
                ),
            ),
            (self.env._("Cross-generation"), row["generation"], generation),
        ]
        return "\n".join(
            [
                self.env._(
                    "%(factor)s: %(value).2f (%(detail)s) x weight %(weight)s = "
                    "%(points).1f points",
                    factor=label,
                    value=value,
                    detail=detail,
                    weight=weights[factor],
                    points=points(factor),
                )
                for (label, value, detail), factor in zip(lines, FACTORS, strict=True)
            ]
        )
