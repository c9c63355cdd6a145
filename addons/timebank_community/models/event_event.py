from collections import defaultdict

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


class EventEvent(models.Model):  # pylint: disable=consider-merging-classes-inherited
    """A gathering of a time bank is an Odoo event of its company: Odoo sends the
    invitations and reminders and records the attendance; the bank adds who is
    invited, and the members' answers from the portal."""

    _inherit = "event.event"

    timebank_gathering = fields.Boolean(
        string="Time Bank Gathering",
        compute="_compute_timebank_gathering",
        store=True,
        readonly=False,
        help="A gathering of the time bank of the event's company: its brokers "
        "invite the members, and the members answer in the portal. Set by the "
        "event template.",
    )
    timebank_published = fields.Boolean(
        string="In the Members' Portal",
        copy=False,
        tracking=True,
        help="The members of the bank see this gathering in their portal and say "
        "there whether they come.",
    )

    @api.depends("event_type_id")
    def _compute_timebank_gathering(self):
        for event in self:
            if event.event_type_id:
                event.timebank_gathering = event.event_type_id.timebank_gathering
            elif not event.timebank_gathering:
                event.timebank_gathering = False

    # ------------------------------------------------------------------ actions
    def action_timebank_invite(self):
        """Register every active member of the gathering's bank who is not
        registered yet, in one go. Odoo's mail scheduler of the event sends the
        invitations by e-mail; the members without e-mail (paper-first) are
        listed in an activity of the broker, who invites them by phone or
        letter. A member who said they cannot come is not registered again."""
        if not self.env.user.has_group("timebank_core.group_timebank_broker"):
            raise AccessError(_("Only a broker invites the members to a gathering."))
        self.check_access("write")
        problems = []
        for event in self:
            if not event.timebank_gathering:
                problems.append(
                    _(
                        "%(event)s is not a time bank gathering: choose the template "
                        "Time bank gathering or Annual celebration first.",
                        event=event.display_name,
                    )
                )
            elif not event.company_id:
                problems.append(
                    _(
                        "%(event)s has no time bank: set its company, whose members "
                        "are invited.",
                        event=event.display_name,
                    )
                )
            elif event.is_finished or event.stage_id.pipe_end:
                problems.append(
                    _(
                        "%(event)s is over or cancelled: nobody is invited any more.",
                        event=event.display_name,
                    )
                )
        if problems:
            raise UserError("\n".join(problems))
        members_by_bank = defaultdict(lambda: self.env["timebank.member"])
        for member in self.env["timebank.member"].search(
            [("state", "=", "active"), ("company_id", "in", self.company_id.ids)]
        ):
            members_by_bank[member.company_id] |= member
        # any registration counts, also a cancelled one: who said they cannot
        # come is not asked again
        registered = set(
            self.env["event.registration"]._read_group(
                [("event_id", "in", self.ids), ("partner_id", "!=", False)],
                ["event_id", "partner_id"],
            )
        )
        vals_list = []
        paper_first = defaultdict(lambda: self.env["timebank.member"])
        for event in self:
            for member in members_by_bank[event.company_id]:
                partner = member.partner_id
                if (event, partner) in registered:
                    continue
                vals_list.append(
                    {
                        "event_id": event.id,
                        "partner_id": partner.id,
                        "name": partner.name,
                        "email": partner.email or False,
                        "phone": partner.phone or partner.mobile or False,
                    }
                )
                if not partner.email:
                    paper_first[event] |= member
        registrations = self.env["event.registration"].create(vals_list)
        for event, members in paper_first.items():
            event.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=_("Invite by phone or letter"),
                note=self._timebank_paper_first_note(members),
                user_id=self.env.user.id,
            )
        paper_count = sum(len(members) for members in paper_first.values())
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if registrations else "info",
                "message": _(
                    "%(count)s members invited, %(paper)s of them without e-mail: "
                    "they are listed in your activity to invite them by phone or "
                    "letter.",
                    count=len(registrations),
                    paper=paper_count,
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _timebank_paper_first_note(self, members):
        """The members to invite by phone or letter, with how to reach them."""
        rows = Markup()
        for member in members:
            partner = member.partner_id
            reach = partner.phone or partner.mobile
            if not reach:
                reach = ", ".join(
                    line
                    for line in partner._display_address(without_company=True).split(
                        "\n"
                    )
                    if line.strip()
                ) or _("no phone, no address: see the member's form")
            rows += Markup("<li>%s: %s</li>") % (partner.name, reach)
        return Markup("<p>%s</p><ul>%s</ul>") % (
            _("These members have no e-mail: invite them by phone or letter."),
            rows,
        )

    # ------------------------------------------------------------------ portal
    @api.model
    def _timebank_portal_domain(self, banks):
        """The gatherings of ``banks`` their members see in the portal: shown
        there, not over, not cancelled."""
        return [
            ("timebank_gathering", "=", True),
            ("timebank_published", "=", True),
            ("company_id", "in", banks.ids),
            ("date_end", ">=", fields.Datetime.now()),
            ("stage_id.pipe_end", "=", False),
        ]

    def _timebank_answer(self, member, coming):
        """``member`` (the user, or the person who named the user their proxy
        and lets them ask for services) comes to this gathering or not: their
        registration is created, confirmed again or cancelled.

        Members never write registrations: this runs as the bank, after its
        own checks. Returns what to tell the user.
        """
        self.ensure_one()
        member = member.sudo()
        if member.partner_id != self.env.user.partner_id and not member.with_env(
            self.env
        )._timebank_proxy_allows("request"):
            raise AccessError(
                _(
                    "You answer only for yourself, or for a person who named you "
                    "their proxy and lets you ask for services for them."
                )
            )
        event = self.sudo()
        values = {"event": event.name, "person": member.partner_id.name}
        if not event.filtered_domain(self._timebank_portal_domain(member.company_id)):
            raise UserError(
                _(
                    "%(event)s is not a gathering of %(bank)s open to its members.",
                    event=event.name,
                    bank=member.company_id.name,
                )
            )
        if member.state != "active":
            raise UserError(
                _(
                    "The membership of %(person)s is not active: please call your "
                    "time bank.",
                    **values,
                )
            )
        registration = (
            self.env["event.registration"]
            .sudo()
            .search(
                [
                    ("event_id", "=", event.id),
                    ("partner_id", "=", member.partner_id.id),
                ],
                order="id desc",
                limit=1,
            )
        )
        if coming:
            if registration.state in ("open", "done"):
                return _("%(person)s is registered for %(event)s already.", **values)
            if not event.event_registrations_open:
                raise UserError(
                    _(
                        "%(event)s takes no more registrations: it is full. Please "
                        "call your time bank.",
                        **values,
                    )
                )
            if registration:
                registration.action_confirm()
            else:
                partner = member.partner_id
                registration = registration.create(
                    {
                        "event_id": event.id,
                        "partner_id": partner.id,
                        "name": partner.name,
                        "email": partner.email or False,
                        "phone": partner.phone or partner.mobile or False,
                    }
                )
            message = _(
                "Thank you: %(person)s is registered for %(event)s. See you there!",
                **values,
            )
        else:
            if registration.state == "done":
                raise UserError(
                    _(
                        "%(person)s is marked as present at %(event)s already.",
                        **values,
                    )
                )
            if not registration or registration.state == "cancel":
                return _("%(person)s is not registered for %(event)s.", **values)
            registration.action_cancel()
            message = _(
                "%(person)s will not come to %(event)s: the registration is cancelled.",
                **values,
            )
        registration.message_post(
            body=_("Answered in the portal by %(user)s.", user=self.env.user.name),
            subtype_xmlid="mail.mt_note",
        )
        return message
