from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

# who is present and who represents whom: what the quorum of a vote counted
REGISTER_FIELDS = {"assembly_id", "member_id", "mode", "proxy_id"}


class TimebankAssemblyAttendance(models.Model):
    _name = "timebank.assembly.attendance"
    _description = "Time Bank Assembly Attendance"
    _check_company_auto = True
    _order = "assembly_id, mode desc, id"

    assembly_id = fields.Many2one(
        "timebank.assembly", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="assembly_id.company_id", store=True)
    member_id = fields.Many2one(
        "timebank.member", required=True, index=True, check_company=True
    )
    mode = fields.Selection(
        [("person", "In Person"), ("proxy", "By Proxy")],
        required=True,
        default="person",
    )
    proxy_id = fields.Many2one(
        "timebank.member",
        string="Represented By",
        index="btree_not_null",
        check_company=True,
        help="The member present who holds the written proxy.",
    )
    signed = fields.Boolean(
        string="Signed the Register", help="Signed the attendance register on paper."
    )

    _sql_constraints = [
        (
            "member_unique",
            "UNIQUE (assembly_id, member_id)",
            "A member is registered once per assembly.",
        ),
    ]

    @api.depends("member_id", "mode", "proxy_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = line.member_id.display_name

    @api.constrains("member_id", "mode", "proxy_id", "assembly_id")
    def _check_proxy(self):
        for line in self:
            if line.member_id.state != "active":
                raise ValidationError(
                    _(
                        "%(member)s is not an active member and cannot take part in "
                        "the vote.",
                        member=line.member_id.display_name,
                    )
                )
            if line.mode == "person":
                if line.proxy_id:
                    raise ValidationError(
                        _(
                            "%(member)s is present in person: no one represents them.",
                            member=line.member_id.display_name,
                        )
                    )
                continue
            if not line.proxy_id or line.proxy_id == line.member_id:
                raise ValidationError(
                    _(
                        "Name the member who represents %(member)s.",
                        member=line.member_id.display_name,
                    )
                )
        proxy_lines = self.filtered(lambda rec: rec.mode == "proxy")
        if not proxy_lines:
            return
        holders = self.search(
            [
                ("assembly_id", "in", proxy_lines.assembly_id.ids),
                ("member_id", "in", proxy_lines.proxy_id.ids),
            ]
        )
        counts = {
            (assembly, proxy): count
            for assembly, proxy, count in self._read_group(
                [
                    ("assembly_id", "in", proxy_lines.assembly_id.ids),
                    ("proxy_id", "in", proxy_lines.proxy_id.ids),
                ],
                ["assembly_id", "proxy_id"],
                ["__count"],
            )
        }
        for line in proxy_lines:
            holder = holders.filtered(
                lambda h, rec=line: (
                    h.assembly_id == rec.assembly_id and h.member_id == rec.proxy_id
                )
            )
            if holder.mode != "person":
                raise ValidationError(
                    _(
                        "%(proxy)s must be present in person to represent %(member)s.",
                        proxy=line.proxy_id.display_name,
                        member=line.member_id.display_name,
                    )
                )
            limit = line.assembly_id.max_proxies
            if counts.get((line.assembly_id, line.proxy_id), 0) > limit:
                raise ValidationError(
                    _(
                        "%(proxy)s cannot represent %(member)s: a member may hold at "
                        "most %(limit)s proxies at this assembly.",
                        proxy=line.proxy_id.display_name,
                        member=line.member_id.display_name,
                        limit=limit,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # refused before anything is written, and checked again on the records
        assemblies = self.env["timebank.assembly"].browse(
            {vals["assembly_id"] for vals in vals_list if vals.get("assembly_id")}
        )
        assemblies._check_session_open()
        assemblies._check_register_open()
        lines = super().create(vals_list)
        lines.assembly_id._check_session_open()
        lines.assembly_id._check_register_open()
        return lines

    def write(self, vals):
        self.assembly_id._check_session_open()
        if {"assembly_id", "member_id"} & set(vals):
            self._check_no_votes()
        if REGISTER_FIELDS & set(vals):
            self.assembly_id._check_register_open()
        result = super().write(vals)
        if "assembly_id" in vals:
            self.assembly_id._check_session_open()
            self.assembly_id._check_register_open()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_only_in_session(self):
        self.assembly_id._check_session_open()
        self._check_no_votes()
        self.assembly_id._check_register_open()

    def _check_no_votes(self):
        """Who voted stays on the register of the assembly."""
        votes = self.env["timebank.assembly.vote"].search(
            [
                ("assembly_id", "in", self.assembly_id.ids),
                ("member_id", "in", self.member_id.ids),
            ]
        )
        voted = self.filtered(
            lambda line: votes.filtered(
                lambda v, rec=line: (
                    v.assembly_id == rec.assembly_id and v.member_id == rec.member_id
                )
            )
        )
        if voted:
            raise UserError(
                _(
                    "%(members)s voted at this assembly: their attendance stays on "
                    "the register.",
                    members=", ".join(voted.member_id.mapped("display_name")),
                )
            )
