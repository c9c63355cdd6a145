import math
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import SQL

try:
    import numpy
except ImportError:  # the engine then ranks in SQL only
    numpy = None

EARTH_RADIUS_KM = 6371.0088
SLOTS_PER_DAY = 48  # half hours
WEEK_SLOTS = 7 * SLOTS_PER_DAY
# from this many requests on, rank in memory (numpy) rather than in SQL
BATCH_IN_MEMORY = 20
# working memory of the ranking queries (per sort or hash)
WORK_MEM = "64MB"
GENERATION_CODES = {"youth": 1, "adult": 2, "elder": 3}
FACTORS = ("skill", "availability", "distance", "reliability", "fairness", "generation")
# disputes that count against a member: all but those found groundless
DISPUTE_STATES = ("new", "review", "mediation", "resolved", "escalated")
HISTORY = (
    "completion",
    "confirmation",
    "disputes",
    "reliability",
    "recent",
    "fairness",
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
    def _features_sql(self, company, materialized=True):
        """Candidate features of every active member of ``company``, as CTEs.

        ``features``: id, partner_id, x, y, z (unit vector of the place, stored
        on the member), has_place, has_check, generation (worked out from the
        birth date kept on the member, for ``today``), offer_items, radius, completion,
        confirmation, disputes, rated, satisfaction (of the ratings the
        volunteer received, smoothed like completion), reliability, recent,
        fairness;
        ``member_skills``: (member_id, skill_id), from the person and the offers;
        ``half_hours``: (member_id, first, stop), the weekly availability of the
        person and the offers in half hours of the week.

        :param materialized: compute the features once for several uses; for
            one use (one request ranked in SQL), PostgreSQL then scores the
            members as it reads them instead of storing them first
        """
        today = fields.Date.context_today(self)
        bounds = company._timebank_generation_birthdates(today)
        since = fields.Datetime.now() - timedelta(days=company.timebank_fairness_days)
        disputes = self._dispute_counts(company)
        return SQL(
            """
            members AS (
                SELECT m.id, m.partner_id,
                       m.matching_x AS x, m.matching_y AS y, m.matching_z AS z,
                       (m.matching_x != 0 OR m.matching_y != 0
                        OR m.matching_z != 0) AS has_place,
                       COALESCE(m.background_check_date <= %(today)s
                        AND (m.background_check_expiry IS NULL
                             OR m.background_check_expiry >= %(today)s), FALSE)
                           AS has_check,
                       CASE WHEN m.matching_birthdate IS NULL THEN NULL
                            WHEN m.matching_birthdate > %(adult_from)s THEN 'youth'
                            WHEN m.matching_birthdate > %(elder_from)s THEN 'adult'
                            ELSE 'elder' END AS generation
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
            member_skills AS MATERIALIZED (
                SELECT m.id AS member_id, r.skill_id
                  FROM timebank_member m
                  JOIN res_partner_timebank_skill_rel r ON r.partner_id = m.partner_id
                 WHERE m.company_id = %(company)s AND m.state = 'active'
                 UNION
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
            half_hours AS MATERIALIZED (
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
                       array_agg(item_id) FILTER (WHERE item_id IS NOT NULL) AS items,
                       CASE WHEN bool_or(no_radius) THEN 0.0
                            ELSE max(radius) END::float8 AS radius
                  FROM (
                    SELECT member_id, done::int, missed::int, 0 AS confirmed,
                           0 AS submitted, 0 AS disputes, recent::int,
                           0 AS rated, 0.0::float8 AS rating,
                           NULL::int AS item_id, NULL::bool AS no_radius,
                           NULL::float8 AS radius
                      FROM tasks
                     UNION ALL
                    SELECT member_id, 0, 0, confirmed::int, submitted::int, 0,
                           recent::int, 0, 0.0, NULL, NULL, NULL
                      FROM services
                     UNION ALL
                    SELECT member_id, 0, 0, 0, 0, n, 0, 0, 0.0, NULL, NULL, NULL
                      FROM disputes
                     UNION ALL
                    SELECT member_id, 0, 0, 0, 0, 0, 0, rated::int, rating::float8,
                           NULL, NULL, NULL
                      FROM ratings
                     UNION ALL
                    SELECT member_id, 0, 0, 0, 0, 0, 0, 0, 0.0, item_id,
                           COALESCE(travel_radius_km, 0) = 0, travel_radius_km
                      FROM offers
                  ) AS past
                 GROUP BY member_id
            ),
            features AS %(materialized)s (
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
                           COALESCE(o.items, '{}'::int[]) AS offer_items,
                           COALESCE(o.radius, 0.0) AS radius,
                           (COALESCE(o.done, 0) + 1)::float8
                           / (COALESCE(o.done, 0) + COALESCE(o.missed, 0) + 2)
                               AS completion,
                           (COALESCE(o.confirmed, 0) + 1)::float8
                           / (COALESCE(o.submitted, 0) + 2) AS confirmation,
                           COALESCE(o.disputes, 0) AS disputes,
                           COALESCE(o.recent, 0) AS recent,
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
            materialized=SQL("MATERIALIZED" if materialized else "NOT MATERIALIZED"),
        )

    @api.model
    def _rank(self, requests, limit, in_memory=None):
        """The ``limit`` best candidates of each request, best first.

        One query per bank, however many requests: the members' features are
        computed once and every request is scored against them in SQL. For many
        requests at once (``in_memory``, by default from ``BATCH_IN_MEMORY``
        requests on when numpy is installed), the features are loaded once and
        the requests scored against them as arrays, with the same factors.

        :return: {request: [row dict with member_id, score and the factors]}
        """
        if in_memory is None:
            in_memory = numpy is not None and len(requests) >= BATCH_IN_MEMORY
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
        rank = self._rank_in_memory if in_memory else self._rank_in_sql
        for company in requests.company_id:
            batch = requests.filtered(lambda r, c=company: r.company_id == c)
            for row in rank(company, batch, limit):
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
    def _rank_in_sql(self, company, requests, limit):
        weights = company._timebank_weights()
        total = sum(weights.values()) or 1
        params = self._request_params(requests)
        pairs = {
            name: [
                (request_id, value)
                for request_id, values in zip(params["ids"], params[name], strict=True)
                for value in values
            ]
            for name in ("skills", "slots")
        }
        allowed = self._allowed_members(company, requests)
        allowed_pairs = [
            (request_id, member_id)
            for request_id, members in allowed.items()
            for member_id in sorted(members)
        ]
        query = SQL(
            """
            WITH %(features)s,
            reqs AS (
                SELECT * FROM unnest(
                    %(ids)s::int[], %(members)s::int[], %(partners)s::int[],
                    %(items)s::int[], %(checks)s::bool[], %(skill_counts)s::int[],
                    %(slot_counts)s::int[], %(xs)s::float8[], %(ys)s::float8[],
                    %(zs)s::float8[], %(places)s::bool[], %(generations)s::varchar[],
                    %(restricted)s::bool[]
                ) AS r(id, member_id, partner_id, item_id, needs_check, skill_count,
                       slot_count, x, y, z, has_place, generation, restricted)
            ),
            allowed AS (
                -- the only candidates of the restricted requests
                SELECT * FROM unnest(%(allowed_requests)s::int[],
                                     %(allowed_members)s::int[])
                    AS a(request_id, member_id)
            ),
            req_skills AS (
                SELECT * FROM unnest(%(skill_requests)s::int[], %(skill_ids)s::int[])
                    AS s(request_id, skill_id)
            ),
            req_slots AS (
                SELECT * FROM unnest(%(slot_requests)s::int[], %(slot_numbers)s::int[])
                    AS s(request_id, slot)
            ),
            req_days AS (
                SELECT DISTINCT (slot / 48)::varchar AS weekday FROM req_slots
            ),
            day_slots AS (
                SELECT a.partner_id, a.weekday::int AS weekday,
                       a.hour_from, a.hour_to
                  FROM timebank_availability a
                  JOIN req_days d ON d.weekday = a.weekday
                 UNION ALL
                SELECT o.partner_id, s.weekday::int, s.hour_from, s.hour_to
                  FROM offers o
                  JOIN timebank_offer_slot s ON s.offer_id = o.id
            ),
            fit AS (
                -- by person: a person is a member of a bank only once
                SELECT request_id, partner_id,
                       count(DISTINCT skill_id) AS skills,
                       count(DISTINCT slot) AS slots
                  FROM (
                    SELECT rs.request_id, p.partner_id, rs.skill_id, NULL::int AS slot
                      FROM req_skills rs
                      JOIN res_partner_timebank_skill_rel p
                        ON p.skill_id = rs.skill_id
                     UNION ALL
                    SELECT rs.request_id, o.partner_id, rs.skill_id, NULL
                      FROM req_skills rs
                      JOIN timebank_offer_skill_rel p ON p.skill_id = rs.skill_id
                      JOIN offers o ON o.id = p.offer_id
                     UNION ALL
                    SELECT rs.request_id, h.partner_id, NULL, rs.slot
                      FROM req_slots rs
                      JOIN day_slots h ON h.weekday = rs.slot / 48
                       AND rs.slot >= h.weekday * 48 + floor(h.hour_from * 2)
                       AND rs.slot < h.weekday * 48 + ceil(h.hour_to * 2)
                  ) AS found
                 GROUP BY request_id, partner_id
            )
            SELECT r.id AS request_id, c.*
              FROM reqs r
             CROSS JOIN LATERAL (
                SELECT f.*, (
                        %(w_skill)s * f.skill
                        + %(w_availability)s * f.availability
                        + %(w_distance)s * f.distance
                        + %(w_reliability)s * f.reliability
                        + %(w_fairness)s * f.fairness
                        + %(w_generation)s * f.generation
                       ) * 100.0 / %(total)s AS score
                  FROM (
                    SELECT f.id AS member_id,
                           CASE WHEN r.item_id = ANY(f.offer_items) THEN 1.0
                                WHEN r.skill_count = 0 THEN 1.0
                                ELSE COALESCE(m.skills, 0)::float8 / r.skill_count
                           END AS skill,
                           COALESCE(m.skills, 0) AS skills_matched,
                           r.skill_count AS skills_needed,
                           r.item_id = ANY(f.offer_items) AS offered,
                           CASE WHEN r.slot_count = 0 THEN 1.0
                                ELSE COALESCE(m.slots, 0)::float8 / r.slot_count
                           END AS availability,
                           f.km AS distance_km,
                           CASE WHEN f.km IS NULL THEN 0.0
                                ELSE 1.0 / (1.0 + f.km / %(scale)s) END AS distance,
                           f.reliability, f.completion, f.confirmation, f.disputes,
                           f.fairness, f.recent,
                           f.generation AS candidate_generation,
                           CASE WHEN r.generation IS NULL OR f.generation IS NULL
                                THEN 0.5::float8
                                WHEN r.generation != f.generation THEN 1.0::float8
                                ELSE 0.0::float8 END AS generation
                      FROM (
                        SELECT f.*,
                               -- haversine, from the chord between the unit vectors
                               CASE WHEN f.has_place AND r.has_place
                               THEN 2 * %(radius)s * asin(least(1.0, sqrt(
                                    (f.x - r.x) * (f.x - r.x)
                                    + (f.y - r.y) * (f.y - r.y)
                                    + (f.z - r.z) * (f.z - r.z)) / 2))
                               END AS km
                          FROM features f
                         WHERE f.id != r.member_id
                           AND f.partner_id != r.partner_id
                           AND (NOT r.needs_check OR f.has_check)
                           AND (NOT r.restricted OR EXISTS (
                                SELECT 1 FROM allowed a
                                 WHERE a.request_id = r.id AND a.member_id = f.id))
                        -- OFFSET 0 keeps PostgreSQL from pulling the subquery up,
                        -- which would compute each expression once per use
                        OFFSET 0
                      ) f
                      LEFT JOIN fit m
                        ON m.request_id = r.id AND m.partner_id = f.partner_id
                     WHERE f.radius = 0 OR f.km IS NULL OR f.km <= f.radius
                    OFFSET 0
                  ) f
                 ORDER BY score DESC, f.distance_km ASC NULLS LAST, f.member_id
                 LIMIT %(limit)s
             ) c
             ORDER BY r.id, c.score DESC, c.distance_km ASC NULLS LAST, c.member_id
            """,
            features=self._features_sql(company, materialized=len(requests) > 1),
            scale=company.timebank_distance_scale_km,
            radius=EARTH_RADIUS_KM,
            total=total,
            limit=limit,
            ids=params["ids"],
            members=params["members"],
            partners=params["partners"],
            items=params["items"],
            checks=params["checks"],
            skill_counts=[len(skills) for skills in params["skills"]],
            slot_counts=[len(slots) for slots in params["slots"]],
            xs=params["xs"],
            ys=params["ys"],
            zs=params["zs"],
            places=params["places"],
            generations=params["generations"],
            restricted=[request_id in allowed for request_id in params["ids"]],
            allowed_requests=[pair[0] for pair in allowed_pairs],
            allowed_members=[pair[1] for pair in allowed_pairs],
            skill_requests=[pair[0] for pair in pairs["skills"]],
            skill_ids=[pair[1] for pair in pairs["skills"]],
            slot_requests=[pair[0] for pair in pairs["slots"]],
            slot_numbers=[pair[1] for pair in pairs["slots"]],
            **{f"w_{factor}": weights[factor] for factor in FACTORS},
        )
        return self._fetch(query, dictionaries=True)

    @api.model
    def _fetch(self, query, dictionaries=False):
        """Rows of ``query``, run without JIT (the row estimates of the
        features are far too high, and compiling costs more than it saves) and
        with enough working memory to keep the features of a large bank (a few
        megabytes for 50,000 members) out of temporary files."""
        cr = self.env.cr
        cr.execute(SQL("SET LOCAL jit = off"))
        cr.execute(SQL("SET LOCAL work_mem = %s", WORK_MEM))
        cr.execute(query)
        rows = cr.dictfetchall() if dictionaries else cr.fetchall()
        cr.execute(SQL("SET LOCAL jit TO DEFAULT"))
        cr.execute(SQL("SET LOCAL work_mem TO DEFAULT"))
        return rows

    @api.model
    def _load_features(self, company):
        """The features of every candidate of ``company`` as arrays, by index.

        Three queries: the members, their skills, their half hours.
        """
        np = numpy
        features_sql = self._features_sql(company)
        rows = self._fetch(
            SQL(
                """
                WITH %s
                SELECT id, partner_id, x, y, z, has_place, has_check, generation,
                       offer_items, radius, completion, confirmation, disputes,
                       reliability, recent, fairness
                  FROM features ORDER BY id
                """,
                features_sql,
            )
        )
        columns = list(zip(*rows, strict=True)) if rows else [()] * 16
        ids = np.array(columns[0], dtype=np.int64)
        count = len(ids)
        member_skills = np.array(
            self._fetch(
                SQL(
                    "WITH %s SELECT member_id, skill_id FROM member_skills",
                    features_sql,
                )
            ),
            dtype=np.int64,
        ).reshape(-1, 2)
        half_hours = np.array(
            self._fetch(
                SQL(
                    "WITH %s SELECT member_id, first, stop FROM half_hours",
                    features_sql,
                )
            ),
            dtype=np.int64,
        ).reshape(-1, 3)
        width = int(member_skills[:, 1].max()) + 1 if len(member_skills) else 1
        skills = np.zeros((count, width), dtype=bool)
        skills[np.searchsorted(ids, member_skills[:, 0]), member_skills[:, 1]] = True
        avail = np.zeros((count, WEEK_SLOTS), dtype=bool)
        lengths = half_hours[:, 2] - half_hours[:, 1]
        rows_of = np.repeat(np.searchsorted(ids, half_hours[:, 0]), lengths)
        starts = np.repeat(half_hours[:, 1] - np.cumsum(lengths) + lengths, lengths)
        avail[rows_of, starts + np.arange(lengths.sum())] = True
        return {
            "id": ids,
            "partner_id": np.array(columns[1], dtype=np.int64),
            "xyz": np.array(columns[2:5], dtype=np.float64).reshape(3, count),
            "has_place": np.array(columns[5], dtype=bool),
            "has_check": np.array(columns[6], dtype=bool),
            "generation": np.array(
                [GENERATION_CODES.get(g, 0) for g in columns[7]], dtype=np.int8
            ),
            "offers": {
                index: set(items) for index, items in enumerate(columns[8]) if items
            },
            "radius": np.array(columns[9], dtype=np.float64),
            "skills": skills,
            "avail": avail,
            **{
                name: np.array(columns[index], dtype=np.float64)
                for index, name in enumerate(HISTORY, start=10)
            },
        }

    @api.model
    def _rank_in_memory(self, company, requests, limit):
        """Rank many requests against the features loaded once (numpy)."""
        np = numpy
        features = self._load_features(company)
        params = self._request_params(requests)
        allowed = self._allowed_members(company, requests)
        weights = company._timebank_weights()
        total = sum(weights.values()) or 1
        scale = company.timebank_distance_scale_km
        count = len(features["id"])
        known_skills = features["skills"].shape[1]
        generations = {value: key for key, value in GENERATION_CODES.items()}
        rows = []
        for index, request_id in enumerate(params["ids"]):
            mask = (features["id"] != params["members"][index]) & (
                features["partner_id"] != params["partners"][index]
            )
            if params["checks"][index]:
                mask &= features["has_check"]
            if request_id in allowed:
                mask &= np.isin(
                    features["id"],
                    np.fromiter(allowed[request_id], dtype=np.int64),
                )
            offered = np.zeros(count, dtype=bool)
            item = params["items"][index]
            for member, items in features["offers"].items():
                offered[member] = item in items
            wanted = params["skills"][index]
            present = [skill for skill in wanted if skill < known_skills]
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
            chord = np.sqrt(((features["xyz"] - point[:, None]) ** 2).sum(axis=0))
            km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, chord / 2))
            placed = features["has_place"] & params["places"][index]
            km = np.where(placed, km, np.nan)
            mask &= (features["radius"] == 0) | ~placed | (km <= features["radius"])
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
                    features["id"][candidates],
                    np.nan_to_num(km[candidates], nan=np.inf),
                    -score[candidates],
                )
            )
            for member in candidates[order[:limit]]:
                rows.append(
                    {
                        "request_id": request_id,
                        "member_id": int(features["id"][member]),
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
                        **{
                            name: float(features[name][member])
                            for name in ("completion", "confirmation", "recent")
                        },
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
