import base64

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.tools import html2plaintext, plaintext2html
from odoo.tools.mimetypes import guess_mimetype

from odoo.addons.timebank_core.controllers.portal import TimebankPortal

GATHERINGS_URL = "/my/timebank/gatherings"
STORIES_URL = "/my/timebank/stories"
NEW_STORY_URL = "/my/timebank/story/new"
# photos a browser shows and Odoo's images read
PHOTO_MIMETYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
PHOTO_MAX_MB = 8


class TimebankCommunityPortal(TimebankPortal):
    def _timebank_community_persons(self):
        """The memberships the user acts for here: their own, then those of the
        persons who named them proxy, with consent, and let them ask for
        services for them.

        Sudo because a proxy who may request but not see reads neither the
        membership nor the contact of the person they act for.
        """
        Member = request.env["timebank.member"].sudo()
        own = Member.search([("partner_id", "=", request.env.user.partner_id.id)])
        return own | Member.search(Member._timebank_proxy_domain("request"))

    def _timebank_person(self, persons, member_id):
        """The membership of ``persons`` the form names, or the only one."""
        if isinstance(member_id, str) and member_id.isdecimal():
            member = persons.filtered(lambda m: m.id == int(member_id))
            if member:
                return member
        if len(persons) == 1 and not member_id:
            return persons
        raise AccessError(
            _(
                "You act only for yourself, or for a person who named you their "
                "proxy and lets you ask for services for them."
            )
        )

    # ------------------------------------------------------------------ gatherings
    @http.route(GATHERINGS_URL, type="http", auth="user", website=True)
    def portal_timebank_gatherings(self, **kw):
        persons = self._timebank_community_persons()
        message, error = self._timebank_pop_notice()
        Event = request.env["event.event"].sudo()
        events = Event.search(
            Event._timebank_portal_domain(persons.company_id), order="date_begin"
        )
        registrations = (
            request.env["event.registration"]
            .sudo()
            .search(
                [
                    ("event_id", "in", events.ids),
                    ("partner_id", "in", persons.partner_id.ids),
                ],
                order="id",
            )
        )
        # (event, member) -> the state of their registration (the latest)
        answers = {(r.event_id.id, r.partner_id.id): r.state for r in registrations}
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "timebank_gatherings",
                "persons": persons,
                "rows": [
                    (
                        event,
                        [
                            (person, answers.get((event.id, person.partner_id.id)))
                            for person in persons
                            if person.company_id == event.company_id
                        ],
                    )
                    for event in events
                ],
                "me": request.env.user.partner_id,
                "message": message,
                "error": error,
            }
        )
        return request.render("timebank_community.portal_my_gatherings", values)

    @http.route(
        GATHERINGS_URL + "/<int:event_id>/<string:answer>",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_timebank_gathering_answer(self, event_id, answer, member_id=None, **kw):
        if answer not in ("come", "cancel"):
            return request.not_found()
        event = request.env["event.event"].browse(event_id)
        if not event.sudo().exists():
            return request.not_found()
        try:
            member = self._timebank_person(
                self._timebank_community_persons(), member_id
            )
            # no savepoint: Odoo's mail scheduler of the event may commit after
            # the registration; every check runs before anything is written
            message = event._timebank_answer(member, answer == "come")
        except UserError as problem:  # also AccessError
            self._timebank_notify(problem.args[0], error=True)
        else:
            self._timebank_notify(message)
        return request.redirect(GATHERINGS_URL)

    # ------------------------------------------------------------------ stories
    @http.route(STORIES_URL, type="http", auth="user", website=True)
    def portal_timebank_stories(self, **kw):
        persons = self._timebank_community_persons()
        message, error = self._timebank_pop_notice()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "timebank_stories",
                "persons": persons,
                "names": {p.id: p.partner_id.name for p in persons},
                "stories": request.env["timebank.story"].search(
                    [("member_id", "in", persons.ids)]
                ),
                "message": message,
                "error": error,
            }
        )
        return request.render("timebank_community.portal_my_stories", values)

    @http.route(
        [NEW_STORY_URL, "/my/timebank/story/<int:story_id>/edit"],
        type="http",
        auth="user",
        methods=["GET", "POST"],
        website=True,
    )
    def portal_timebank_story_form(self, story_id=None, **post):
        """A member, or the proxy of an elder, writes their time story."""
        persons = self._timebank_community_persons()
        story = request.env["timebank.story"]
        if story_id:
            story = story.browse(story_id)
            try:
                story.check_access("write")
            except (AccessError, MissingError):
                return request.not_found()
        error = None
        if request.httprequest.method == "POST":
            try:
                with request.env.cr.savepoint():
                    story = self._timebank_save_story(persons, story, post)
            except UserError as problem:  # also AccessError and ValidationError
                error = problem.args[0]
            else:
                if story.state == "submitted":
                    done = _(
                        "Thank you: your story is sent to the time bank. It is "
                        "published only if you agreed to it."
                    )
                else:
                    done = _("Your story is saved as a draft.")
                self._timebank_notify(done)
                return request.redirect(STORIES_URL)
        elif not persons:
            error = _(
                "You are not a member of a time bank yet, and nobody named you as "
                "their proxy. Please call your time bank to register."
            )
        # what was typed comes back only from the form itself: a link cannot
        # fill the page with words of its own (nor its <title>)
        typed = post if request.httprequest.method == "POST" else {}
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "timebank_story_form",
                "persons": persons,
                "names": {p.id: p.partner_id.name for p in persons},
                "story": story,
                "story_title": typed.get("title", story.title or ""),
                "story_text": typed.get("text", html2plaintext(story.body or "")),
                "consent": bool(typed.get("consent")) if typed else story.consent,
                "member_id": int(typed["member_id"])
                if str(typed.get("member_id") or "").isdecimal()
                else story.sudo().member_id.id,
                "photo_limits": _(
                    "A photo (JPEG, PNG, GIF or WebP), at most %(max)s MB.",
                    max=PHOTO_MAX_MB,
                ),
                "error": error,
            }
        )
        return request.render("timebank_community.portal_story_form", values)

    def _timebank_save_story(self, persons, story, post):
        """Create or update the draft ``story`` from the form, then submit it
        when asked; a UserError says what is wrong."""
        if not persons:
            raise UserError(_("Only a member of a time bank writes a time story."))
        title = (post.get("title") or "").strip()
        text = (post.get("text") or "").strip()
        if not title:
            raise UserError(_("Give your story a title."))
        vals = {
            "title": title,
            "body": plaintext2html(text) if text else False,
            "consent": bool(post.get("consent")),
        }
        upload = request.httprequest.files.get("photo")
        if upload and upload.filename:
            vals["photo"] = self._timebank_story_photo(upload)
        if story:
            story.write(vals)
        else:
            member = self._timebank_person(persons, post.get("member_id"))
            story = story.create(dict(vals, member_id=member.id))
        if post.get("do") == "submit":
            story.action_submit()
        return story

    @staticmethod
    def _timebank_story_photo(upload):
        content = upload.read()
        if len(content) > PHOTO_MAX_MB * 1024 * 1024:
            raise UserError(
                _(
                    "%(file)s is larger than %(max)s MB: send a smaller photo (your "
                    "phone can reduce its size).",
                    file=upload.filename,
                    max=PHOTO_MAX_MB,
                )
            )
        if guess_mimetype(content, default="") not in PHOTO_MIMETYPES:
            raise UserError(
                _(
                    "%(file)s is not a photo: send a JPEG, PNG, GIF or WebP image.",
                    file=upload.filename,
                )
            )
        return base64.b64encode(content)

    @http.route(
        "/my/timebank/story/<int:story_id>/<string:action>",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_timebank_story_action(self, story_id, action, **kw):
        done = {
            "submit": _(
                "Thank you: your story is sent to the time bank. It is published "
                "only if you agreed to it."
            ),
            "withdraw": _(
                "Your story is withdrawn: it is not shown anywhere any more."
            ),
            "draft": _("Your story is a draft again: you may change it."),
        }
        if action not in done:
            return request.not_found()
        story = request.env["timebank.story"].browse(story_id)
        try:
            story.check_access("read")
        except (AccessError, MissingError):
            return request.not_found()
        try:
            with request.env.cr.savepoint():
                getattr(story, f"action_{action}")()
        except UserError as problem:  # also AccessError
            self._timebank_notify(problem.args[0], error=True)
        else:
            self._timebank_notify(done[action])
        return request.redirect(STORIES_URL)
